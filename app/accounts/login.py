"""flask-login wiring: load the user from the session cookie, answer unauthenticated requests."""
from flask import jsonify, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.accounts import services
from app.accounts.models import User
from app.core.db import get_session
from app.core.views import is_htmx
from app.extensions import login_manager


def init_app(app):
    services.configure(app.config)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(ident: str):
        user_id, _, token = ident.partition(":")
        if not user_id.isdigit():
            return None
        user = get_session().get(User, int(user_id))
        if user is None or not user.active or user.session_token != token:
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return jsonify(error={"code": 401, "message": str(_l("登录已过期,请重新登录。"))}), 401
        target = url_for("accounts.login", next=request.full_path if request.method == "GET" else None)
        if is_htmx():
            response = make_response("", 401)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)
