"""Configuration: one class reading the environment, with safe defaults."""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def instance_secret(instance: Path) -> str:
    """A secret key kept under instance/, made once, so sessions survive restarts without configuration."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def secure_cookies(config) -> None:
    """Served over https (PUBLIC_URL): cookies travel only over TLS, and the session and remember-me cookies
    carry the __Host- prefix, which browsers accept only Secure, for the whole site and this host alone."""
    if config["PUBLIC_URL"].startswith("https://"):
        config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                      SESSION_COOKIE_NAME="__Host-session", REMEMBER_COOKIE_NAME="__Host-remember_token")


class Config:
    INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: a key is made once under instance/
    DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'wuye.db'}"

    MEDIA_BACKEND = os.environ.get("MEDIA_BACKEND", "local")  # local | s3
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or str(INSTANCE_DIR / "media")
    S3_BUCKET = os.environ.get("S3_BUCKET", "wuye-media")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")  # None = AWS itself
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY")
    MEDIA_URL_EXPIRES = int(os.environ.get("MEDIA_URL_EXPIRES", 3600))

    # The address phones use to reach the app; printed into checkpoint QR labels (else the request's host).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (nginx = 1). 0 trusts
    # none: the address the rate limits and the login throttle count is then the connection's own.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))

    # Channels out (group robots, e-mail): the mail server, and how long and how often a delivery is tried.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 587))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_FROM = os.environ.get("SMTP_FROM", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    # Hosts a robot channel may post to besides the platforms' own (a private deployment), comma-separated.
    CHANNEL_HOSTS = [h.strip() for h in os.environ.get("CHANNEL_HOSTS", "").split(",") if h.strip()]
    CHANNEL_TIMEOUT = float(os.environ.get("CHANNEL_TIMEOUT", 5))  # seconds a robot or mail server may take
    CHANNEL_MAX_ATTEMPTS = int(os.environ.get("CHANNEL_MAX_ATTEMPTS", 6))
    CHANNEL_RETRY_SECONDS = int(os.environ.get("CHANNEL_RETRY_SECONDS", 60))  # then 2, 4, 8… minutes

    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    # After downtime the clock generates (and records as missed) the rounds of at most this many past days.
    CLOCK_CATCH_UP_DAYS = int(os.environ.get("CLOCK_CATCH_UP_DAYS", 31))
    # Form claims and clock marks are pruned after this many days: longer than a remembered login (30) or a record
    # the outbox may still bring (90), see app/core/jobs.py.
    ONCE_KEEP_DAYS = int(os.environ.get("ONCE_KEEP_DAYS", 120))
    # A closed month's figures are stored (final) this many days after it ended, once its ranking is: app/month/figures.py
    MONTH_FREEZE_DAYS = int(os.environ.get("MONTH_FREEZE_DAYS", 7))
    RESTOCK_WAIT_HOURS = int(os.environ.get("RESTOCK_WAIT_HOURS", 4))  # a pending restock request is then put again
    # a hand-over nobody took over, or a round-the-clock post left empty, this long is put to the supervisor
    DUTY_ATTENTION_MINUTES = int(os.environ.get("DUTY_ATTENTION_MINUTES", 30))
    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"  # always on with an https PUBLIC_URL
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600  # a month on the guard's own phone
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a form open all night stays valid

    # Login throttle: failures counted over a sliding window, per account and per client address.
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 30

    # Argon2id, memory-hard; RFC 9106 "second recommended" profile.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 2

    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    RESIDENT_MIN_FILL_SECONDS = 3  # a resident's form sent faster than this is a bot
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 15 * 1000 * 1000))  # per photo, before downscaling
    # Outbox uploads carrying photos worked on at once per server process (None: the cores shared out among the
    # processes) and waiting their turn, each holding one of the process's threads (keep app/core/serve.py's above
    # the two together); more get 503 + Retry-After (app/sync/gate.py).
    PHOTO_UPLOADS_AT_ONCE = int(os.environ["PHOTO_UPLOADS_AT_ONCE"]) if os.environ.get("PHOTO_UPLOADS_AT_ONCE") else None
    PHOTO_UPLOADS_WAITING = int(os.environ.get("PHOTO_UPLOADS_WAITING", 24))
