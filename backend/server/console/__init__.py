"""The staff console: server-rendered pages at /console/ for the receiving office (Jinja2, plain forms).

`web` holds what every page shares (sign-in cookie, roles, CSRF, rendering); each part of the console is one
module with its routes and one template per page: `login` (sign-in and out), `fleet` (the kiosks), `monthly`
(the monthly 汇总表).
"""
