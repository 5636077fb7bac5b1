# Lede — Varnish 7 in front of the application nodes.
#
# What it does:
# - round-robin over the app nodes, each with a health probe on /healthz
#   (process alive; /readyz is not used, so a stalled worker or a database
#   outage never takes every node out at once);
# - caches anonymous pages and the paywall's locked variants as the app allows
#   (Cache-Control: public, max-age=60), never a response that is private,
#   no-store, no-cache or that sets a cookie;
# - passes every request of a logged-in reader (sessionid) or of an anonymous
#   reader with a meter (lede_meter), and every non-GET request;
# - answers 404 for /metrics (Prometheus scrapes the nodes directly);
# - drops cookies that do not change the page (csrftoken, analytics) so one
#   cached copy serves every anonymous reader;
# - pipes the live feed's Server-Sent Events (/newsroom/flux/) unbuffered;
# - accepts PURGE (Wagtail's frontend cache) and BAN only from the `purgers` ACL;
# - keeps pages for hours past their TTL and serves them stale when the app
#   answers 5xx or cannot be reached (grace, "stale if error").
#
# bin/stack renders a copy of this file with loopback backends: keep each
# backend's address on its own `.host`/`.port` lines.

vcl 4.1;

import directors;
import std;

probe app_health {
    .request =
        "GET /healthz HTTP/1.1"
        "Host: www.example.ma"
        "User-Agent: varnish-probe"
        "Connection: close";
    .expected_response = 200;
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend app1 {
    .host = "10.0.0.11";
    .port = "8000";
    .probe = app_health;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 30s;
}

backend app2 {
    .host = "10.0.0.12";
    .port = "8000";
    .probe = app_health;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 30s;
}

# Who may PURGE and BAN: the application nodes and the workers (Wagtail sends
# its purges from the task worker), and this host.
acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/24;
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
    app.add_backend(app2);
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Our own markers, never a client's.
        unset req.http.X-Lede-Cacheable;
        unset req.http.X-Lede-Stale-If-Error;
    }
    set req.backend_hint = app.backend();
    # While the app is healthy, a copy at most 10 s past its TTL is served
    # (and refreshed in the background); older ones are fetched anew. When it
    # is not, the object's whole grace applies.
    if (!req.http.X-Lede-Stale-If-Error && std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # Every variant of the URL (Vary: Cookie, Accept-Encoding) goes.
        return (purge);
    }
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # X-Ban-Url: a regular expression on the path (default: this URL and
        # everything under it). Bans match every host.
        if (req.http.X-Ban-Url) {
            ban("obj.http.x-url ~ " + req.http.X-Ban-Url);
        } else {
            ban("obj.http.x-url ~ ^" + req.url);
        }
        return (synth(200, "Banned"));
    }

    # Prometheus scrapes the nodes directly, on the private network.
    if (req.url ~ "^/metrics") {
        return (synth(404, "Not Found"));
    }

    # The live feed: a long-lived text/event-stream, straight through.
    if (req.url ~ "^/newsroom/flux/") {
        return (pipe);
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # Never cached: the editors' admin, accounts, checkout, probes.
    if (req.url ~ "^/(admin|django-admin|compte|abonnement|paiement|offres)(/|$)"
        || req.url ~ "^/(healthz|readyz)") {
        return (pass);
    }

    # Only the languages the site speaks (LocaleMiddleware adds
    # Vary: Accept-Language): one cached copy per language, not per browser.
    if (req.http.Accept-Language ~ "^\s*(ar|en)") {
        set req.http.Accept-Language = regsub(req.http.Accept-Language, "^\s*(ar|en).*$", "\1");
    } else {
        set req.http.Accept-Language = "fr";
    }

    if (req.http.Cookie) {
        # A logged-in reader, an anonymous reader with a meter, a pending
        # message: the answer is theirs alone.
        if (req.http.Cookie ~ "(^|;\s*)(sessionid|lede_meter|messages)=") {
            return (pass);
        }
        # Anything else (csrftoken, analytics) does not change a GET page.
        unset req.http.Cookie;
    }
    set req.http.X-Lede-Cacheable = "1";
    return (hash);
}

sub vcl_hash {
    # One copy whatever port the reader came in on (Wagtail purges with the
    # Site's hostname and port).
    hash_data(req.url);
    hash_data(std.tolower(regsub(req.http.host, ":[0-9]+$", "")));
    return (lookup);
}

sub vcl_pipe {
    # One request per piped connection: the next one goes through vcl_recv.
    set bereq.http.Connection = "close";
    return (pipe);
}

sub vcl_backend_fetch {
    unset bereq.http.X-Lede-Cacheable;
    return (fetch);
}

sub vcl_backend_response {
    # What bans match on; which node answered (debugging, tests).
    set beresp.http.x-url = bereq.url;
    set beresp.http.X-Served-By = beresp.backend.name;

    if (beresp.status >= 500) {
        # Keep the stale copy rather than replace it with an error page.
        if (bereq.is_bgfetch) {
            return (abandon);
        }
        if (!bereq.uncacheable && !bereq.http.X-Lede-Stale-If-Error) {
            return (abandon);  # vcl_synth retries once with a long grace
        }
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }

    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Vary == "*") {
        # Reader-specific: never stored. Hit-for-miss for two minutes.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    if (beresp.status == 404 && !beresp.http.Cache-Control) {
        # Anonymous "not found" pages, briefly (a flood of them stays here;
        # publishing purges the URL anyway).
        set beresp.ttl = 10s;
    } else if (!beresp.http.Cache-Control && !beresp.http.Expires) {
        # The app said nothing: do not guess.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Served stale while the app is away (and, briefly, while refreshing).
    set beresp.grace = 6h;
    set beresp.keep = 1h;
    return (deliver);
}

sub vcl_backend_error {
    # A node that went away before its probe noticed: try the next one.
    if (bereq.retries == 0 && (bereq.method == "GET" || bereq.method == "HEAD")) {
        return (retry);
    }
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    if (!bereq.uncacheable && !bereq.http.X-Lede-Stale-If-Error) {
        return (abandon);
    }
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "5";
    set beresp.http.Cache-Control = "no-store";
    synthetic({"<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Service momentanément indisponible</title></head><body><h1>Service momentanément indisponible</h1><p>Le site revient dans quelques instants. Merci de votre patience.</p></body></html>"});
    return (deliver);
}

sub vcl_synth {
    # A failed fetch of a cacheable page: look again, accepting a copy up to
    # six hours stale; if there is none, the app's own error page is fetched.
    if (resp.status == 503 && req.http.X-Lede-Cacheable
        && !req.http.X-Lede-Stale-If-Error && req.restarts == 0) {
        set req.http.X-Lede-Stale-If-Error = "1";
        return (restart);
    }
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    if (req.http.X-Lede-Stale-If-Error && obj.hits > 0) {
        set resp.http.X-Cache = "STALE";
    }
    return (deliver);
}
