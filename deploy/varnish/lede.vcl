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
#   reader with a meter (lede_meter), and every non-GET request — except an
#   article request carrying a good entitlement token for that article and
#   session (lede_edge, checked here with vmod-digest: `sub lede_edge_token`),
#   answered from one cached full copy per kind of reader (deploy/README.md,
#   "Subscriber articles at the edge");
# - retries an idempotent request once on the other node when the one it was
#   sent to fails (refused, reset, 502/503/504): a node killed under load
#   costs no reader an error;
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

import cookie;
import digest;
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

# The key that signs entitlement tokens (the application reads the same
# file: LEDE_EDGE_TOKEN_KEY_FILE). bin/stack points this at var/stack/.
# std.fileread reads it once per loaded VCL: load the VCL again to rotate.
sub lede_edge_key {
    set req.http.X-Lede-Edge-Key-File = "/etc/varnish/lede-edge.key";
}

# A reader's token for this article (lede/core/caching/edge_tokens.py):
#   1.<expiry>.full.<kind>.<hex HMAC-SHA256>, signed over
#   1|<expiry>|full|<kind>|<host without port>|<path>|<sha256 of sessionid>
# Sets X-Lede-Edge-Scope ("full:<kind>") only when the token is well formed,
# unexpired, not too far ahead (lifetime + clock skew: 300 + 60 s, as
# LEDE_EDGE_TOKEN_SECONDS + LEDE_EDGE_TOKEN_SKEW_SECONDS) and signed for this
# host, path and session. Anything else: the request goes on as before
# (passed to the application with its cookies).
sub lede_edge_token {
    cookie.parse(req.http.Cookie);
    set req.http.X-Lede-Edge-Token = cookie.get("lede_edge");
    set req.http.X-Lede-Edge-Session = digest.hash_sha256(cookie.get("sessionid"));
    if (req.http.X-Lede-Edge-Token ~ "^1\.[0-9]{1,12}\.full\.(subscriber|registered)\.[0-9a-f]{64}$") {
        set req.http.X-Lede-Edge-Expires =
            regsub(req.http.X-Lede-Edge-Token, "^1\.([0-9]+)\..*$", "\1");
        if (std.integer(req.http.X-Lede-Edge-Expires, 0) > std.integer(time=now)
            && std.integer(req.http.X-Lede-Edge-Expires, 0) <= std.integer(time=now) + 360) {
            set req.http.X-Lede-Edge-Kind =
                regsub(req.http.X-Lede-Edge-Token, "^1\.[0-9]+\.full\.([a-z]+)\..*$", "\1");
            call lede_edge_key;
            # Compared through a second hash: the comparison's time says
            # nothing of where a forged signature first differs.
            if (digest.hash_sha256("0x" + regsub(req.http.X-Lede-Edge-Token, "^.*\.", ""))
                == digest.hash_sha256(digest.hmac_sha256(
                    std.fileread(req.http.X-Lede-Edge-Key-File),
                    "1|" + req.http.X-Lede-Edge-Expires + "|full|" + req.http.X-Lede-Edge-Kind
                    + "|" + std.tolower(regsub(req.http.host, ":[0-9]+$", ""))
                    + "|" + req.url + "|" + req.http.X-Lede-Edge-Session))) {
                set req.http.X-Lede-Edge-Scope = "full:" + req.http.X-Lede-Edge-Kind;
            }
        }
    }
    unset req.http.X-Lede-Edge-Key-File;
    unset req.http.X-Lede-Edge-Expires;
    unset req.http.X-Lede-Edge-Kind;
    if (!req.http.X-Lede-Edge-Scope) {
        unset req.http.X-Lede-Edge-Token;
        unset req.http.X-Lede-Edge-Session;
    }
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Our own markers, never a client's.
        unset req.http.X-Lede-Cacheable;
        unset req.http.X-Lede-Stale-If-Error;
    }
    # Set below from a checked token only, on every pass through here.
    unset req.http.X-Lede-Edge-Token;
    unset req.http.X-Lede-Edge-Session;
    unset req.http.X-Lede-Edge-Scope;
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
        # Every variant of the URL (Vary: Cookie, Accept-Encoding) goes, and
        # the copies kept per kind of reader (hashed apart: vcl_hash).
        ban("obj.http.x-url == " + req.url);
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

    if (req.http.Cookie ~ "(^|;\s*)lede_edge=" && req.http.Cookie ~ "(^|;\s*)sessionid="
        && req.url !~ "\?") {
        call lede_edge_token;
        if (req.http.X-Lede-Edge-Scope) {
            # The application let this reader in, minutes ago: the copy for
            # their kind of reader, shared, with none of their cookies.
            unset req.http.Cookie;
            set req.http.X-Lede-Cacheable = "1";
            return (hash);
        }
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
    if (req.http.X-Lede-Edge-Scope) {
        # The full copy for one kind of reader, never an anonymous one's.
        hash_data("lede-edge:" + req.http.X-Lede-Edge-Scope);
    }
    return (lookup);
}

sub vcl_pipe {
    # One request per piped connection: the next one goes through vcl_recv.
    set bereq.http.Connection = "close";
    return (pipe);
}

sub vcl_backend_fetch {
    unset bereq.http.X-Lede-Cacheable;
    if (bereq.retries > 0) {
        # The retry goes to the other node, not round-robin's next pick
        # (which may be the node that just failed, before its probe says so).
        if (bereq.http.X-Lede-Failed == "app1") {
            set bereq.backend = app2;
        } else if (bereq.http.X-Lede-Failed == "app2") {
            set bereq.backend = app1;
        }
    }
    unset bereq.http.X-Lede-Failed;
    return (fetch);
}

sub vcl_backend_response {
    # What bans match on; which node answered (debugging, tests).
    set beresp.http.x-url = bereq.url;
    set beresp.http.X-Served-By = beresp.backend.name;

    if (beresp.status >= 502 && beresp.status <= 504 && bereq.retries == 0
        && (bereq.method == "GET" || bereq.method == "HEAD")) {
        # A node on its way down (or its proxy's error): once, the other node.
        set bereq.http.X-Lede-Failed = beresp.backend.name;
        return (retry);
    }
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

    if (bereq.http.X-Lede-Edge-Scope) {
        # The full copy for a kind of reader: kept only when the node says it
        # is that copy (it checked the token again), never with a cookie.
        if (beresp.status == 200 && !beresp.http.Set-Cookie
            && beresp.http.X-Lede-Edge-Cache == bereq.http.X-Lede-Edge-Scope) {
            set beresp.ttl = 60s;
            set beresp.grace = 6h;
            set beresp.keep = 1h;
            return (deliver);
        }
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
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
        set bereq.http.X-Lede-Failed = beresp.backend.name;
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
    unset resp.http.X-Lede-Edge-Cache;
    if (req.http.X-Lede-Edge-Scope) {
        # Which road answered (tests, debugging): the kind, nothing personal.
        set resp.http.X-Lede-Edge = req.http.X-Lede-Edge-Scope;
    }
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
