"""decisions.web: the Flask application around the engine."""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import config, db, errors, i18n, labels, log_privacy, login, mail, markdown, security


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration layers, database, extensions, blueprints."""
    instance = (test_config or {}).get("INSTANCE_PATH")  # tests keep their own instance/
    app = Flask(__name__, instance_relative_config=True, instance_path=instance)
    config.configure(app, test_config)
    log_privacy.init_app(app)
    db.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    login.init_app(app)
    mail.init_app(app)
    errors.init_app(app)
    labels.init_app(app)
    markdown.init_app(app)

    from . import charts
    from .account.calendar import bp as calendar_bp
    from .account.inbox import bp as inbox_bp
    from .account.views import bp as account_bp
    from .answer.views import bp as answer_bp
    from .api import init_app as init_api
    from .assemblies.views import bp as assemblies_bp
    from .auth.views import bp as auth_bp
    from .invitations.views import bp as invitations_bp
    from .notices.views import bp as unsubscribe_bp
    from .orgs.views import bp as orgs_bp
    from .orgs.views import index
    from .privacy.views import bp as privacy_bp
    from .proposals.views import bp as proposals_bp
    from .register.views import bp as register_bp
    from .rounds.views import bp as rounds_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(orgs_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(assemblies_bp)
    app.register_blueprint(register_bp)
    charts.init_app(app)
    app.register_blueprint(unsubscribe_bp)
    app.register_blueprint(answer_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(privacy_bp)
    init_api(app)  # /api/v1 (bearer tokens, no CSRF) and the integrations pages
    app.add_url_rule("/", endpoint="index", view_func=index)
    return app
