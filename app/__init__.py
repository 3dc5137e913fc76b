"""Wuye Field (物业现场): the Flask application factory."""
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import BASE_DIR, Config, instance_secret, secure_cookies


def create_app(config: type[Config] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str((config or Config).INSTANCE_DIR),
    )
    app.config.from_object(config or Config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    secure_cookies(app.config)
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:  # the client's address, scheme and host as the trusted proxies received them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app.core import compression, db, errors, formatting, i18n, inputs, once, storage
    from app.core.permissions import enforce_declared_policy
    from app.core.views import is_htmx, security_headers
    from app.extensions import csrf, htmx, login_manager

    db.init_app(app)
    storage.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)  # after Babel, so its datetimeformat filter is ours
    from app.sync import gate

    gate.init_app(app)  # first of all: a photo upload over the server's share is sent back unread
    app.before_request(inputs.check_request)  # then CSRF, and every view reads only well-formed input
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    from app.accounts import login

    login.init_app(app)
    errors.init_app(app)
    app.before_request(enforce_declared_policy)
    once.init_app(app)
    app.after_request(security_headers)
    compression.init_app(app)
    app.jinja_env.globals["is_htmx"] = is_htmx

    from app.accounts.routes import bp as accounts_bp
    from app.callbacks.routes import bp as callbacks_bp
    from app.channels import jobs as _channel_jobs  # noqa: F401  (registers the clock jobs, when there is a clock)
    from app.channels.routes import bp as channels_bp
    from app.complaints import report_routes  # noqa: F401  (its views join the complaints blueprint)
    from app.complaints.routes import bp as complaints_bp
    from app.core import attention_routes  # noqa: F401  (its views join the core blueprint)
    from app.core import media as _media_jobs  # noqa: F401  (the hourly sweep of files left by killed tries)
    from app.core.routes import bp as core_bp
    from app.frontdesk import units_routes  # noqa: F401  (its views join the frontdesk blueprint)
    from app.frontdesk.routes import bp as frontdesk_bp
    from app.handovers.routes import bp as handovers_bp
    from app.imports.routes import bp as imports_bp
    from app.incidents import report_routes as _incident_reports  # noqa: F401  (its views join the blueprint)
    from app.incidents.routes import bp as incidents_bp
    from app.inspections.routes import bp as inspections_bp
    from app.month.routes import bp as month_bp
    from app.patrols.routes import bp as patrols_bp
    from app.projects.routes import bp as projects_bp
    from app.registers.routes import bp as registers_bp
    from app.repairs import figures_routes, public_routes  # noqa: F401  (their views join the repairs blueprint)
    from app.repairs.routes import bp as repairs_bp
    from app.shifts import duty_routes, reports, setup  # noqa: F401  (their views join the shifts blueprint)
    from app.shifts.routes import bp as shifts_bp
    from app.sync.routes import bp as sync_bp

    for blueprint in (core_bp, accounts_bp, projects_bp, sync_bp, repairs_bp, patrols_bp, handovers_bp,
                      inspections_bp, shifts_bp, channels_bp, frontdesk_bp, complaints_bp, callbacks_bp, incidents_bp,
                      imports_bp, registers_bp, month_bp):
        app.register_blueprint(blueprint)

    from app import cli
    from app.channels import cli as channels_cli
    from app.checklists import cli as checklists_cli
    from app.checklists.rules import phone_rules
    from app.checklists.services import answer_label
    from app.complaints import jobs as _complaints_jobs  # noqa: F401  (clock jobs register at import)
    from app.core import jobs as _core_jobs  # noqa: F401
    from app.handovers import jobs as _handovers_jobs  # noqa: F401
    from app.imports import cli as imports_cli
    from app.inspections import jobs as _inspections_jobs  # noqa: F401
    from app.month import jobs as _month_jobs  # noqa: F401
    from app.patrols import jobs as _patrols_jobs  # noqa: F401
    from app.registers import jobs as _registers_jobs  # noqa: F401
    from app.repairs import jobs as _repairs_jobs  # noqa: F401
    from app.shifts import jobs as _shifts_jobs  # noqa: F401

    cli.init_app(app)
    checklists_cli.init_app(app)
    app.add_template_global(phone_rules, "checklist_rules")  # checklist forms carry their rules to the phone
    channels_cli.init_app(app)
    imports_cli.init_app(app)
    app.add_template_global(answer_label)  # every record shows an answer the same way
    return app
