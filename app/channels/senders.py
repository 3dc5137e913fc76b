"""Talking to each platform, in the JSON its custom-robot documentation gives; no Flask here.

- WeCom (企业微信) group robot: POST {"msgtype": "markdown", "markdown": {"content": …}} (≤ 4096 bytes) to the
  webhook; the answer {"errcode": 0, "errmsg": "ok"} means sent.
- DingTalk (钉钉) custom robot: POST {"msgtype": "markdown", "markdown": {"title", "text"}}; with 加签 the URL gets
  `timestamp` (ms) and `sign` = Base64(HmacSHA256(key=secret, timestamp + "\\n" + secret)) as query parameters;
  {"errcode": 0} means sent (310000: the signature did not match).
- Feishu (飞书) custom robot: POST {"msg_type": "post", "content": {"post": {"zh_cn": {"title", "content"}}}}; with
  签名校验 the body gets `timestamp` (s) and `sign` = Base64(HmacSHA256(key=timestamp + "\\n" + secret, b""));
  {"code": 0} means sent (19021: the signature did not match).
- E-mail: SMTP with the server of the environment (SMTP_HOST …), STARTTLS when asked.
"""
import base64
import hashlib
import hmac
import json
import smtplib
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage

WECOM_MAX_BYTES = 4096
ANSWER_LIMIT = 300


@dataclass
class Message:
    title: str
    text: str
    url: str = ""  # the record's link, absolute; empty when PUBLIC_URL is not set
    link_label: str = "查看"
    locale: str = "zh_Hans"


@dataclass
class Smtp:
    host: str = ""
    port: int = 587
    user: str = ""
    password: str = ""
    sender: str = ""
    starttls: bool = True


class SendFailed(Exception):
    """The message did not arrive; `str()` is the reason recorded on the delivery (the platform's answer)."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _clip(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, cut on a character."""
    data = text.encode()
    return text if len(data) <= limit else data[:limit - 3].decode(errors="ignore") + "…"


def _markdown(message: Message, title_line: str) -> str:
    lines = [title_line, "", message.text]
    if message.url:
        lines += ["", f"[{message.link_label}]({message.url})"]
    return "\n".join(lines)


def _post(url: str, payload: dict, timeout: float) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"HTTP {exc.code}: {exc.read(ANSWER_LIMIT).decode(errors='replace')}"[:ANSWER_LIMIT]) from None
    except (TimeoutError, socket.timeout):
        raise SendFailed(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise SendFailed(f"no answer within {timeout:g} s") from None
        raise SendFailed(f"unreachable: {reason}"[:ANSWER_LIMIT]) from None
    except (OSError, ValueError) as exc:  # a reset connection, a malformed URL
        raise SendFailed(f"unreachable: {exc}"[:ANSWER_LIMIT]) from None
    try:
        answer = json.loads(raw)
    except ValueError:
        raise SendFailed(f"not a JSON answer: {raw[:200].decode(errors='replace')}") from None
    return answer if isinstance(answer, dict) else {"answer": answer}


def _answer(answer: dict, code_field: str) -> str:
    text = json.dumps(answer, ensure_ascii=False)[:ANSWER_LIMIT]
    if answer.get(code_field) not in (0, "0"):
        raise SendFailed(text)
    return text


def send_wecom(target: str, message: Message, timeout: float) -> str:
    content = _clip(_markdown(message, f"**{message.title}**"), WECOM_MAX_BYTES)
    return _answer(_post(target, {"msgtype": "markdown", "markdown": {"content": content}}, timeout), "errcode")


def send_dingtalk(target: str, secret: str, message: Message, timeout: float, now_ms: int) -> str:
    url = target
    if secret:
        query = urllib.parse.urlencode({"timestamp": now_ms, "sign": dingtalk_sign(secret, now_ms)})
        url = f"{target}{'&' if '?' in target else '?'}{query}"
    # DingTalk's markdown joins lines not separated by a blank one
    text = _markdown(message, f"#### {message.title}").replace("\n", "\n\n").replace("\n\n\n\n", "\n\n")
    payload = {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}}
    return _answer(_post(url, payload, timeout), "errcode")


def send_feishu(target: str, secret: str, message: Message, timeout: float, now_s: int) -> str:
    lines = [[{"tag": "text", "text": line}] for line in message.text.splitlines() or [""]]  # a paragraph a line
    if message.url:
        lines.append([{"tag": "a", "text": message.link_label, "href": message.url}])
    language = "en_us" if message.locale == "en" else "zh_cn"
    payload = {"msg_type": "post", "content": {"post": {language: {"title": message.title, "content": lines}}}}
    if secret:
        payload = {"timestamp": str(now_s), "sign": feishu_sign(secret, now_s), **payload}
    answer = _post(target, payload, timeout)
    return _answer({"code": answer.get("code", answer.get("StatusCode")), **answer}, "code")


def send_email(target: str, message: Message, smtp: Smtp, timeout: float) -> str:
    if not smtp.host:
        raise SendFailed("SMTP_HOST is not set")
    if not (smtp.sender or smtp.user):
        raise SendFailed("SMTP_FROM is not set")
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = smtp.sender or smtp.user
    mail["To"] = target
    mail.set_content(message.text + (f"\n\n{message.url}\n" if message.url else "\n"))
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as server:
            if smtp.starttls:
                server.starttls()
            if smtp.user:
                server.login(smtp.user, smtp.password)
            refused = server.send_message(mail)
    except smtplib.SMTPResponseException as exc:
        raise SendFailed(f"SMTP {exc.smtp_code}: {exc.smtp_error.decode(errors='replace')}"[:ANSWER_LIMIT]) from None
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(f"{to}: {code} {text.decode(errors='replace')}" for to, (code, text) in exc.recipients.items())
        raise SendFailed(f"SMTP refused {reasons}"[:ANSWER_LIMIT]) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"SMTP: {exc or type(exc).__name__}"[:ANSWER_LIMIT]) from None
    if refused:
        raise SendFailed(f"SMTP refused {', '.join(refused)}"[:ANSWER_LIMIT])
    return "250 OK"


def send(kind: str, target: str, secret: str, message: Message, *, timeout: float, smtp: Smtp, now_ms: int) -> str:
    """Send one message; returns the platform's answer, or raises SendFailed with the reason."""
    if kind == "email":
        return send_email(target, message, smtp, timeout)
    if urllib.parse.urlsplit(target).scheme not in ("http", "https"):
        raise SendFailed("the target is not an http(s) URL")
    if kind == "wecom":
        return send_wecom(target, message, timeout)
    if kind == "dingtalk":
        return send_dingtalk(target, secret, message, timeout, now_ms)
    if kind == "feishu":
        return send_feishu(target, secret, message, timeout, now_ms // 1000)
    raise SendFailed(f"unknown channel kind {kind!r}")
