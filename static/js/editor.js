// The score table editor (templates/scoring/table_editor.html): keyboard moves, renaming in
// place and drag and drop in the criteria tree. Every change is one POST through htmx; the
// server answers with the fragments that changed (out of band) and says, in the event
// "editor:focus", which criterion the keyboard goes back to. No inline script (CSP).
(function () {
  "use strict";

  var tree = null;
  var urls = {};
  var panelTimer = null;
  var dragged = null;

  function items() {
    return Array.prototype.slice.call(tree.querySelectorAll("li.tree-item"));
  }

  function itemOf(node) {
    return node && node.closest ? node.closest("li.tree-item") : null;
  }

  function code(item) {
    var row = item.querySelector(":scope > .tree-row");
    return row ? row.getAttribute("data-code") : "";
  }

  function revision() {
    var input = document.getElementById("editor-revision");
    return input ? input.value : "";
  }

  function selectedInPanel() {
    var form = document.querySelector("#panel form[data-criterion]");
    return form ? form.getAttribute("data-criterion") : "";
  }

  // Roving tab stop: exactly one item of the tree is reached with Tab.
  function setTabStop(item) {
    items().forEach(function (other) {
      other.setAttribute("tabindex", other === item ? "0" : "-1");
    });
  }

  function ensureTabStop() {
    if (!tree) {
      return;
    }
    var stop = tree.querySelector('li.tree-item[tabindex="0"]');
    var first = tree.querySelector("li.tree-item");
    if (!stop && first) {
      first.setAttribute("tabindex", "0");
    }
  }

  function focusItem(item) {
    if (item) {
      setTabStop(item);
      item.focus();
    }
  }

  function focusById(id) {
    focusItem(document.getElementById("item-" + id));
  }

  function send(name, values) {
    tree = document.getElementById("tree-root");
    var data = { revision: revision(), selected: selectedInPanel() };
    Object.keys(values).forEach(function (key) {
      data[key] = values[key];
    });
    return htmx.ajax("POST", urls[name], { source: tree, values: data, swap: "none" });
  }

  function move(item, action) {
    if (item) {
      send("move", { criterion: item.getAttribute("data-criterion"), action: action });
    }
  }

  function remove(item) {
    if (!item) {
      return;
    }
    var values = { criterion: item.getAttribute("data-criterion") };
    var below = item.querySelectorAll("li.tree-item").length;
    if (below) {
      var question = tree
        .getAttribute("data-confirm-children")
        .replace("{code}", code(item))
        .replace("{count}", String(below));
      if (!window.confirm(question)) {
        return;
      }
      values.confirm = "1";
    }
    send("delete", values);
  }

  function addBelow(item) {
    send("add", item ? { after: item.getAttribute("data-criterion") } : {});
  }

  function addChild(item) {
    if (item) {
      send("add", { parent: item.getAttribute("data-criterion") });
    }
  }

  // Renaming in place: the title becomes a text field; Enter saves, Escape gives up.
  function rename(item) {
    if (!item || item.querySelector(":scope > .tree-row input.rename")) {
      return;
    }
    var title = item.querySelector(":scope > .tree-row .crit-title");
    var before = title.textContent.trim();
    var input = document.createElement("input");
    input.type = "text";
    input.className = "form-control form-control-sm rename";
    input.value = before;
    input.setAttribute(
      "aria-label",
      tree.getAttribute("data-rename-label").replace("{code}", code(item))
    );
    title.hidden = true;
    title.parentNode.insertBefore(input, title.nextSibling);
    input.focus();
    input.select();
    var done = false;
    function finish(save) {
      if (done) {
        return;
      }
      done = true;
      var text = input.value.trim();
      input.remove();
      title.hidden = false;
      if (save && text && text !== before) {
        title.textContent = text;
        send("rename", { criterion: item.getAttribute("data-criterion"), title: text });
      } else {
        focusItem(item);
      }
    }
    input.addEventListener("keydown", function (event) {
      event.stopPropagation();
      if (event.key === "Enter") {
        event.preventDefault();
        finish(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        finish(false);
      }
    });
    input.addEventListener("blur", function () {
      finish(true);
    });
  }

  function loadPanel(item) {
    if (!item || !urls.panel || selectedInPanel() === item.getAttribute("data-criterion")) {
      return;
    }
    clearTimeout(panelTimer);
    panelTimer = setTimeout(function () {
      // Only for the criterion that still has the keyboard (not once the user is typing in
      // the panel, whose fields must not be replaced under their hands).
      if (document.activeElement !== item || !item.isConnected) {
        return;
      }
      htmx.ajax("GET", urls.panel + "?criterion=" + item.getAttribute("data-criterion"), {
        source: tree,
        target: "#panel",
        swap: "outerHTML",
      });
    }, 250);
  }

  function visible(list, item, step) {
    var index = list.indexOf(item) + step;
    return list[Math.max(0, Math.min(list.length - 1, index))];
  }

  function onKey(event) {
    var item = itemOf(event.target);
    if (!item || event.target !== item) {
      return;
    }
    var editable = tree.hasAttribute("data-editable");
    var list = items();
    var handled = true;
    var key = event.key;
    if (key === "ArrowUp" && event.altKey && editable) {
      move(item, "up");
    } else if (key === "ArrowDown" && event.altKey && editable) {
      move(item, "down");
    } else if (key === "ArrowDown") {
      focusItem(visible(list, item, 1));
    } else if (key === "ArrowUp") {
      focusItem(visible(list, item, -1));
    } else if (key === "Home") {
      focusItem(list[0]);
    } else if (key === "End") {
      focusItem(list[list.length - 1]);
    } else if (key === "ArrowRight") {
      focusItem(item.querySelector("li.tree-item") || item);
    } else if (key === "ArrowLeft") {
      focusItem(itemOf(item.parentNode) || item);
    } else if (key === "Tab" && editable) {
      move(item, event.shiftKey ? "outdent" : "indent");
    } else if ((key === "F2" || key === "Enter") && editable) {
      rename(item);
    } else if (key === "Insert" && editable) {
      addBelow(item);
    } else if (key === "Delete" && editable) {
      remove(item);
    } else if (key === "Escape") {
      var field = document.querySelector(
        "#panel input:not([type=hidden]), #panel select, #panel textarea"
      );
      if (field) {
        field.focus();
      }
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  }

  // Drag and drop: the top quarter of a row puts the criterion before it, the bottom
  // quarter after it, the middle inside it (as its last sub-criterion).
  function zone(item, event) {
    var row = item.querySelector(":scope > .tree-row");
    var box = row.getBoundingClientRect();
    var y = event.clientY - box.top;
    if (y < box.height / 4) {
      return "before";
    }
    if (y > (box.height * 3) / 4) {
      return "after";
    }
    return "inside";
  }

  function clearDrop() {
    document.querySelectorAll(".drop-before, .drop-after, .drop-inside").forEach(function (el) {
      el.classList.remove("drop-before", "drop-after", "drop-inside");
    });
  }

  function inTree(event) {
    tree = document.getElementById("tree-root");
    return tree && tree.hasAttribute("data-editable") && tree.contains(event.target);
  }

  function setUpDrag() {
    document.addEventListener("dragstart", function (event) {
      if (!inTree(event)) {
        return;
      }
      dragged = itemOf(event.target);
      if (!dragged) {
        return;
      }
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-criterion"));
      dragged.classList.add("dragging");
    });
    document.addEventListener("dragend", function () {
      if (dragged) {
        dragged.classList.remove("dragging");
      }
      dragged = null;
      clearDrop();
    });
    document.addEventListener("dragover", function (event) {
      var item = inTree(event) && itemOf(event.target);
      if (!dragged || !item || dragged.contains(item)) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      clearDrop();
      item.querySelector(":scope > .tree-row").classList.add("drop-" + zone(item, event));
    });
    document.addEventListener("dragleave", function (event) {
      if (inTree(event) && !tree.contains(event.relatedTarget)) {
        clearDrop();
      }
    });
    document.addEventListener("drop", function (event) {
      var item = inTree(event) && itemOf(event.target);
      if (!dragged || !item || dragged.contains(item)) {
        return;
      }
      event.preventDefault();
      var place = zone(item, event);
      clearDrop();
      send("place", {
        criterion: dragged.getAttribute("data-criterion"),
        target: item.getAttribute("data-criterion"),
        place: place,
      });
    });
  }

  function setUp() {
    tree = document.getElementById("tree-root");
    if (!tree) {
      return;
    }
    urls = JSON.parse(tree.getAttribute("data-urls") || "{}");
    ensureTabStop();
    document.addEventListener("keydown", function (event) {
      tree = document.getElementById("tree-root");
      if (tree && tree.contains(event.target)) {
        onKey(event);
      }
    });
    document.addEventListener("focusin", function (event) {
      tree = document.getElementById("tree-root");
      var item = itemOf(event.target);
      if (item && tree.contains(item) && event.target === item) {
        setTabStop(item);
        loadPanel(item);
      }
    });
    document.addEventListener("click", function (event) {
      tree = document.getElementById("tree-root");
      var item = itemOf(event.target);
      if (item && tree.contains(item) && !event.target.closest("input")) {
        focusItem(item);
        return;
      }
      var action = event.target.closest && event.target.closest("[data-editor-action]");
      if (action) {
        var chosen = tree.querySelector('li.tree-item[tabindex="0"]');
        var name = action.getAttribute("data-editor-action");
        if (name === "sibling") {
          addBelow(chosen);
        } else if (name === "child") {
          addChild(chosen);
        } else if (name === "rename") {
          rename(chosen);
        } else if (name === "delete") {
          remove(chosen);
        } else {
          move(chosen, name);
        }
        return;
      }
      var link = event.target.closest && event.target.closest("[data-focus-criterion]");
      if (link) {
        event.preventDefault();
        focusById(link.getAttribute("data-focus-criterion"));
        return;
      }
      var sum = event.target.closest && event.target.closest("[data-set-sum]");
      if (sum) {
        var field = document.getElementById("f-max_points");
        field.value = sum.getAttribute("data-set-sum");
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    setUpDrag();
    // A refusal (409: someone else changed the table; 422: a value refused) carries its
    // message: show it instead of dropping the answer.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var status = event.detail.xhr.status;
      if (status === 409 || status === 422) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:afterSettle", function () {
      tree = document.getElementById("tree-root");
      ensureTabStop();
    });
    document.body.addEventListener("editor:focus", function (event) {
      tree = document.getElementById("tree-root");
      var item = document.getElementById("item-" + event.detail.id);
      focusItem(item);
      if (item && event.detail.rename) {
        rename(item);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
