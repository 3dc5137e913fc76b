"""The channels' clock jobs, and what they need from the app (the boundary where URLs and settings are read).

Delivery runs every minute; the digest job every minute too (it queues each channel's digest once a day, at the
first tick past its hour). `flask channels deliver` runs delivery once by hand.
"""
from datetime import timedelta

from flask import current_app, url_for
from werkzeug.routing import BuildError

from app.channels import digest, services
from app.channels.senders import Smtp
from app.core.clock import job


def url_of(target: dict) -> str:
    """A notification's link as an absolute URL under PUBLIC_URL ("" when PUBLIC_URL is not set).

    Built in a request context whose base URL is PUBLIC_URL rather than under a configured SERVER_NAME: a
    SERVER_NAME would also change how every real request is matched and how the app builds its other URLs,
    while PUBLIC_URL (which may carry a path, "https://example.com/wuye") already is the address people use."""
    base = current_app.config["PUBLIC_URL"]
    if not base or not target:
        return ""
    if target.get("path"):  # a notification made before events existed kept its path
        return base + target["path"]
    with current_app.test_request_context(base_url=base):
        try:
            return url_for(target["endpoint"], _external=True, **target.get("args", {}))
        except (BuildError, KeyError, TypeError):  # an endpoint renamed since the alert was queued
            return ""


def delivery_settings() -> dict:
    config = current_app.config
    return {"url_of": url_of, "timeout": config["CHANNEL_TIMEOUT"], "max_attempts": config["CHANNEL_MAX_ATTEMPTS"],
            "retry_seconds": config["CHANNEL_RETRY_SECONDS"],
            "smtp": Smtp(host=config["SMTP_HOST"], port=config["SMTP_PORT"], user=config["SMTP_USER"],
                         password=config["SMTP_PASSWORD"], sender=config["SMTP_FROM"],
                         starttls=config["SMTP_STARTTLS"])}


def run_delivery(session, now, config) -> dict:
    return services.deliver_due(session, now, **delivery_settings())


def run_digests(session, now, config) -> int:
    return digest.send_digests(session, now, tz=config["TIMEZONE"])


job("channels.digest", every=timedelta(minutes=1), run=run_digests)
job("channels.deliver", every=timedelta(minutes=1), run=run_delivery)
