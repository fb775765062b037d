"""Official documents in the Vietnamese administrative format (Nghị định 30/2020/NĐ-CP),
built from the data once as a plain document model (base.Document) and written out both as
a Word file (python-docx, no system libraries) and as a print-ready HTML page."""
