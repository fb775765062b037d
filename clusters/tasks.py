"""Background work of the organisation's floor: mailing notifications (docs/notifications.md).

clusters may not import jobs (the floor above), so the task is declared here with
django-tasks; the same queue worker (``python manage.py run_worker``) runs it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from clusters.models import Notification
from clusters.notices import text_of

logger = logging.getLogger(__name__)

SUBJECT_MAX = 140


def absolute(url: str) -> str:
    """``url`` (a path of this site) as a full address for an e-mail, from SITE_URL."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def notification_email(notification: Notification) -> EmailMessage:
    """The e-mail of one notification, in Vietnamese whatever the sender's page language,
    with absolute links to the page and to the recipient's notification settings."""
    with translation.override("vi"):
        text = text_of(notification)
        body = render_to_string(
            "clusters/notices/email.txt",
            {
                "notification": notification,
                "text": text,
                "link": absolute(notification.url),
                "list_link": absolute(reverse("notification_list")),
                "settings_link": absolute(reverse("notification_settings")),
            },
        )
    subject = settings.EMAIL_SUBJECT_PREFIX + " ".join(text.split())
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    return EmailMessage(subject=subject, body=body, to=[notification.recipient.email])


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """Mail the notifications ``notification_ids`` not mailed yet, to recipients who still
    want e-mail and have an address; each is marked ``emailed_at`` once sent, so a retried
    task sends nothing twice. Returns how many were sent."""
    pending = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            emailed_at__isnull=True,
            recipient__is_active=True,
            recipient__notify_by_email=True,
        )
        .exclude(recipient__email="")
        .select_related("recipient", "campaign")
        .order_by("pk")
    )
    if not pending:
        return 0
    sent = 0
    with get_connection() as connection:
        for notification in pending:
            message = notification_email(notification)
            message.connection = connection
            message.send()
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    logger.info("Mailed %d notifications", sent)
    return sent
