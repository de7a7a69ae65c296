"""The web app for marketers and IT, served by ``accord serve`` under ``/app``.

Server-rendered pages (Jinja2, htmx for in-place updates, Vega-Lite charts each with its data
as a table) over the same governance, decision service and stores as the API and the CLI:

* ``/app``: what is live, approvals waiting for me, my drafts, the base;
* ``/app/customers``: customer 360 (find by any identifier; profile, segments, timeline, and
  the decision the hub would make now in each channel with every treatment's reason);
* ``/app/segments``: segment sizes; a FEEL condition editor with live count, overlaps and a
  chart against the base;
* ``/app/rules``: versions; diff, scenarios, simulation report; the dmn-js editor that saves
  a draft; spreadsheet upload; submit, approve, reject, activate, roll back as roles allow.

* ``/app/account``: change one's password (every other session ends).

Log in with the users of rule governance (``accord users create``). Sessions are kept in the
operational store (:mod:`accord.web.session`), failed logins throttled
(:mod:`accord.web.throttle`), and every response under ``/app`` carries the security headers
and body limit of :mod:`accord.web.headers`.
"""

from accord.web.app import install_web

__all__ = ["install_web"]
