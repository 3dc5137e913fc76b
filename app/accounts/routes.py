"""Login, logout, the user's own account, and the admin's user screens."""
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlmodel import select

from app.accounts import bp, exports, services
from app.accounts.models import PROJECT_ROLES, Membership, User
from app.core.db import get_session
from app.core.i18n import THEME_COOKIE, THEMES
from app.core.permissions import admin_required, logged_in, public, visible_projects_stmt
from app.core.views import back_to, is_htmx, render, safe_next
from app.projects.services import get_project
from app.reports.xlsx_export import xlsx_response


def _client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Log in; "remember me" keeps a phone logged in for a month."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("accounts/login.html")
    username = request.form.get("username", "")
    result = services.authenticate(get_session(), username=username, password=request.form.get("password", ""),
                                   ip=_client_ip())
    if result.user is None:
        messages = {
            "invalid": _("用户名或密码不正确。"),
            "inactive": _("此账号已停用,请联系管理员。"),
            "throttled": _("尝试次数过多,请 %(m)d 分钟后再试。", m=max(1, (result.retry_after + 59) // 60)),
        }
        status = 429 if result.error == "throttled" else 401 if result.error == "invalid" else 403
        return render_template("accounts/login.html", error=messages[result.error], username=username), status
    session.clear()
    login_user(result.user, remember=bool(request.form.get("remember")))
    session["locale"] = result.user.locale  # for the answers given before the user is loaded (i18n.cookie_locale)
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
@logged_in
def logout():
    """Log out: this session and every copy of its cookies (session, remember-me) stop working."""
    services.log_out(get_session(), user=current_user)
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/locale")
@public
def set_locale():
    """Switch the interface language; kept on the account when logged in."""
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        services.set_locale(get_session(), user=current_user, locale=locale)
    session["locale"] = locale
    return redirect(safe_next(request.form.get("next")))


@bp.post("/theme")
@public
def set_theme():
    """Day or night colours on this device, or the system's: a cookie, so the first paint is already right."""
    response = redirect(safe_next(request.form.get("next")))
    theme = request.form.get("theme", "")
    if theme not in THEMES:
        abort(400)
    response.set_cookie(THEME_COOKIE, theme, max_age=400 * 86400, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


@bp.route("/account", methods=["GET", "POST"])
@logged_in
def account():
    """The user's own account: memberships, language, password change."""
    db = get_session()
    error = None
    if request.method == "POST":
        try:
            services.change_own_password(db, user=current_user, current=request.form.get("current", ""),
                                         new=request.form.get("new", ""), confirm=request.form.get("confirm", ""))
        except services.AccountError as exc:
            error = exc
        else:
            # the old session and remember-me cookie died with the old session token: renew this device's
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(current_user._get_current_object(), remember=remembered)
            flash(_("密码已修改。其他设备上的登录已失效。"), "success")
            return back_to("accounts.account")
    return render_template("accounts/account.html", memberships=services.memberships_of(db, current_user),
                           error=error and error.message), error.status if error else 200


# -- admin ------------------------------------------------------------------------------------

def _org_user(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


def _user_page(user: User, error: str | None = None, status: int = 200):
    db = get_session()
    return render("accounts/user.html", "accounts/_memberships.html", status=status, user=user, error=error,
                  memberships=services.memberships_of(db, user), projects=db.exec(visible_projects_stmt(current_user)).all(),
                  roles=PROJECT_ROLES)


@bp.get("/admin/users")
@admin_required
def users():
    """All users of the company; the search box filters as one types."""
    query = request.args.get("q", "")[:60]
    found = get_session().exec(services.users_stmt(current_user.organisation_id, query).limit(200)).all()
    return render("accounts/users.html", "accounts/_user_rows.html", users=found, q=query)


@bp.get("/admin/users.xlsx")
@admin_required
def users_xlsx():
    """The company's users and their project roles as a workbook, a sheet each."""
    return xlsx_response(exports.user_sheets(get_session(), current_user.organisation_id), "users.xlsx")


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    """Create a user; the admin then gives them projects and roles."""
    if request.method == "GET":
        return render_template("accounts/user_new.html", form={})
    form = request.form
    try:
        user = services.create_user(
            get_session(), actor=current_user, organisation_id=current_user.organisation_id,
            username=form.get("username", ""), display_name=form.get("display_name", ""),
            password=form.get("password", ""), phone=form.get("phone", ""), is_admin=bool(form.get("is_admin")),
            is_manager=bool(form.get("is_manager")),
            locale=form.get("locale") if form.get("locale") in current_app.config["LANGUAGES"] else "zh_Hans",
        )
    except services.AccountError as exc:
        return render_template("accounts/user_new.html", form=form, error=exc.message), exc.status
    flash(_("已创建用户 %(name)s,请为其分配项目和角色。", name=user.display_name), "success")
    return back_to("accounts.user", user_id=user.id)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    """One user: details, memberships, password reset, deactivation."""
    user = _org_user(user_id)
    if request.method == "GET":
        return _user_page(user)
    form = request.form
    try:
        services.update_user(get_session(), actor=current_user, user=user, display_name=form.get("display_name", ""),
                             phone=form.get("phone", ""), locale=form.get("locale", ""), is_admin=bool(form.get("is_admin")),
                             is_manager=bool(form.get("is_manager")))
    except services.AccountError as exc:
        return _user_page(user, exc.message, exc.status)
    flash(_("已保存。"), "success")
    return back_to("accounts.user", user_id=user.id)


@bp.post("/admin/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    """Set a new password for a user who forgot theirs; their sessions end."""
    user = _org_user(user_id)
    try:
        services.set_password(get_session(), actor=current_user, user=user, new_password=request.form.get("password", ""))
    except services.AccountError as exc:
        return _user_page(user, exc.message, exc.status)
    flash(_("已重置 %(name)s 的密码。", name=user.display_name), "success")
    return back_to("accounts.user", user_id=user.id)


@bp.post("/admin/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    """Deactivate (or reactivate) a user; a deactivated user is logged out everywhere."""
    user = _org_user(user_id)
    try:
        services.set_active(get_session(), actor=current_user, user=user, active=request.form.get("active") == "1")
    except services.AccountError as exc:
        return _user_page(user, exc.message, exc.status)
    return back_to("accounts.user", user_id=user.id)


@bp.post("/admin/users/<int:user_id>/memberships")
@admin_required
def add_membership(user_id: int):
    """Give a user a role in a project."""
    user = _org_user(user_id)
    db = get_session()
    project = get_project(db, request.form.get("project_id", type=int) or 0)
    try:
        if project is None or project.organisation_id != current_user.organisation_id:
            raise services.AccountError(_("请选择项目。"))
        services.add_membership(db, actor=current_user, user=user, project=project, role=request.form.get("role", ""))
    except services.AccountError as exc:
        return _user_page(user, exc.message, exc.status)
    return _user_page(user) if is_htmx() else back_to("accounts.user", user_id=user.id)


@bp.post("/admin/users/<int:user_id>/memberships/<int:membership_id>/delete")
@admin_required
def remove_membership(user_id: int, membership_id: int):
    """Take a role in a project away from a user."""
    user = _org_user(user_id)
    db = get_session()
    membership = db.exec(select(Membership).where(Membership.id == membership_id, Membership.user_id == user.id)).first()
    if membership is None:
        abort(404)
    services.remove_membership(db, actor=current_user, membership=membership)
    return _user_page(user) if is_htmx() else back_to("accounts.user", user_id=user.id)
