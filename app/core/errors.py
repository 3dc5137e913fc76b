"""Error pages in the user's language, JSON for the API; never a stack trace."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.refusal import Refusal
from app.core.views import is_htmx


def _messages():
    return {
        400: (_("请求有误"), _("提交的内容无法处理,请检查后重试。")),
        401: (_("请先登录"), _("登录已过期,请重新登录。")),
        403: (_("无权操作"), _("您的角色不能进行此操作。如有需要,请联系项目主管。")),
        404: (_("页面不存在"), _("找不到您要的页面,或您没有查看它的权限。")),
        405: (_("操作方式不对"), _("此页面不接受这种请求。")),
        409: (_("有冲突"), _("这项内容刚刚被其他人同时修改,您的提交没有保存。请刷新后重试。")),
        413: (_("文件太大"), _("上传的内容超过了大小上限,请压缩或分次上传。")),
        422: (_("无法保存"), _("提交的内容有误,没有保存。")),
        429: (_("操作太频繁"), _("请稍后再试。")),
        500: (_("服务器出错"), _("服务器处理时出错,您的数据没有保存。请稍后重试;若一再出现,请联系管理员。")),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code: int, message: str | None = None, reason: str | None = None, fields: dict | None = None):
    """The error as JSON (API), an htmx fragment, or a page; `message` is already translated."""
    title, default_message = _messages().get(code, (_("出错了"), ""))
    message = message or default_message
    if wants_json():
        return jsonify(error={"code": code, "title": title, "message": message, "reason": reason,
                              "fields": fields or {}}), code
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=code, title=title, message=message, fields=fields or {}), code


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(400, _("安全令牌缺失或已过期,请刷新页面后重新提交。"), reason="csrf")

    @app.errorhandler(Refusal)
    def refused(exc):
        return error_response(exc.status, exc.message, fields=exc.fields)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code is None or exc.code < 400:
            return exc
        description = exc.description if getattr(exc, "user_message", False) else None
        body, code = error_response(exc.code, description)
        # what the exception says in its headers still holds: Allow on a 405, Retry-After, WWW-Authenticate
        return body, code, [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if isinstance(exc, IntegrityError):  # two people saved the same thing at the same moment; nothing was kept
            app.logger.warning("write conflict on %s: %s", request.path, exc.orig)
            return error_response(409)
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(InternalServerError.code)
