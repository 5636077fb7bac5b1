/* Newsroom live updates (Server-Sent Events), no dependencies.
 *
 * The page works without this script: a reload shows the latest dispatches.
 * With it, new dispatches are held back behind a "N nouvelles dépêches" button
 * so that what the reader is reading never moves; corrections replace the item
 * in place and withdrawals remove it (or leave the editor's note).
 * The same script follows a live blog (data-live-blog).
 */
(function () {
  "use strict";
  if (!("EventSource" in window) || !("content" in document.createElement("template"))) {
    return;
  }

  // French: 0 and 1 take the singular. Labels come translated from the page.
  function label(root, n) {
    var text = n > 1 ? root.dataset.labelOther : root.dataset.labelOne;
    return (text || "").replace("{n}", String(n));
  }

  function streamUrl(root) {
    var url = new URL(root.dataset.streamUrl, window.location.href);
    if (root.dataset.lastEventId) {
      url.searchParams.set("last_event_id", root.dataset.lastEventId);
    }
    return url.toString();
  }

  // Each event carries its feed event id (data.event). A shared stream (nchan
  // in front) may send an event again — after the front restarted, or when a
  // page first connects it sends the last few — so each is applied once.
  function once() {
    var seen = new Set();
    var floor = 0;
    return function (root, data) {
      if (!data.event) {
        return true;
      }
      if (!floor) {
        floor = parseInt(root.dataset.lastEventId || "0", 10) || -1;
      }
      if (data.event <= floor || seen.has(data.event)) {
        return false;
      }
      seen.add(data.event);
      if (seen.size > 1000) {
        seen.delete(seen.values().next().value);
      }
      return true;
    };
  }

  // A signed-in reader's page (data-unlock-url) asks the site for the full
  // text of a reserved dispatch that the shared stream sent locked; the
  // paywall decides. Spread over two seconds so a crowd does not ask at once.
  function unlock(root, data, apply) {
    var template = root.dataset.unlockUrl;
    if (!template || !data.locked) {
      return;
    }
    var url = template.replace(/\/0\/$/, "/" + String(data.dispatch) + "/");
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok || response.headers.get("X-Lede-Locked") !== "0") {
            return null;
          }
          return response.text();
        })
        .then(function (html) {
          if (html) {
            apply(Object.assign({}, data, { html: html, locked: false }));
          }
        })
        .catch(function () {});
    }, Math.random() * 2000);
  }

  // The stream's state on the root element (data-stream-state), for styles and tests.
  function follow(root, source) {
    source.addEventListener("open", function () {
      root.dataset.streamState = "open";
    });
    source.addEventListener("error", function () {
      root.dataset.streamState = source.readyState === 2 ? "closed" : "reconnecting";
    });
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = (html || "").trim();
    return template.content;
  }

  function focusOn(element) {
    if (!element) {
      return;
    }
    element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: false });
  }

  function initFeed(root) {
    var list = root.querySelector(".newsroom__list");
    var button = root.querySelector(".newsroom__more");
    var status = root.querySelector(".newsroom__status");
    var pending = new Map();

    function find(id) {
      return list.querySelector('[data-dispatch="' + String(id) + '"]');
    }

    function refresh() {
      if (pending.size === 0) {
        button.hidden = true;
        return;
      }
      button.textContent = label(root, pending.size);
      button.hidden = false;
      status.textContent = button.textContent;
    }

    button.addEventListener("click", function () {
      var items = Array.from(pending.values()).sort(function (a, b) {
        if (a.publishedAt === b.publishedAt) {
          return b.id - a.id;
        }
        return a.publishedAt < b.publishedAt ? 1 : -1;
      });
      var batch = document.createDocumentFragment();
      items.forEach(function (item) {
        batch.appendChild(fragment(item.html));
      });
      var empty = list.querySelector(".newsroom__empty");
      if (empty) {
        empty.remove();
      }
      list.insertBefore(batch, list.firstChild);
      pending.clear();
      refresh();
      status.textContent = "";
      if (items.length) {
        focusOn(find(items[0].id));
      }
    });

    function apply(data) {
      var existing = find(data.dispatch);
      if (existing) {
        existing.replaceWith(fragment(data.html));
        return;
      }
      pending.set(data.dispatch, {
        id: data.dispatch,
        html: data.html,
        publishedAt: data.published_at,
      });
      refresh();
    }

    var fresh = once();
    var source = new EventSource(streamUrl(root));
    follow(root, source);
    source.addEventListener("dispatch", function (event) {
      var data = JSON.parse(event.data);
      if (!fresh(root, data)) {
        return;
      }
      apply(data);
      unlock(root, data, function (full) {
        if (find(full.dispatch) || pending.has(full.dispatch)) {
          apply(full); // still there (not withdrawn meanwhile)
        }
      });
    });
    source.addEventListener("withdrawn", function (event) {
      var data = JSON.parse(event.data);
      if (!fresh(root, data)) {
        return;
      }
      if (pending.delete(data.dispatch)) {
        refresh();
      }
      var existing = find(data.dispatch);
      if (!existing) {
        return;
      }
      if (data.html) {
        existing.replaceWith(fragment(data.html));
      } else {
        existing.remove();
      }
    });
  }

  function initBlog(root) {
    var entries = root.querySelector(".live-blog__entries");
    var summary = root.querySelector(".live-blog__summary");
    var button = root.querySelector(".newsroom__more");
    var status = root.querySelector(".newsroom__status");
    var latest = null;

    function apply() {
      if (!latest) {
        return;
      }
      summary.replaceChildren(fragment(latest.summary_html));
      entries.replaceChildren(fragment(latest.entries_html));
      latest = null;
      button.hidden = true;
    }

    function known() {
      var ids = new Set();
      entries.querySelectorAll("[data-entry]").forEach(function (el) {
        ids.add(el.dataset.entry);
      });
      return ids;
    }

    button.addEventListener("click", function () {
      apply();
      status.textContent = "";
      focusOn(entries);
    });

    var source = new EventSource(streamUrl(root));
    follow(root, source);
    source.addEventListener("blog", function (event) {
      latest = JSON.parse(event.data);
      if (latest.status === "ended") {
        apply();
        source.close();
        root.dataset.streamState = "closed";
        status.textContent = root.dataset.labelEnded || "";
        var state = root.querySelector(".live-blog__state");
        if (state) {
          state.textContent = root.dataset.labelEnded || "";
        }
        return;
      }
      var have = known();
      var fresh = latest.entry_ids.filter(function (id) {
        return !have.has(String(id));
      }).length;
      if (fresh === 0) {
        apply(); // corrections, pins, key points: in place
        return;
      }
      button.textContent = label(root, fresh);
      button.hidden = false;
      status.textContent = button.textContent;
    });
  }

  // The home page's Newsroom box: the same stream, shown as a short list of
  // headlines. New dispatches go on top at once (the list is short and beside
  // the reading column, so nothing the reader is reading moves); corrections
  // replace the headline; withdrawals remove the item.
  function initList(root) {
    var list = root.querySelector(".home-live__list");
    var max = parseInt(root.dataset.max || "6", 10);
    var newsroom = root.dataset.newsroomUrl || "/newsroom/";

    function find(id) {
      return list.querySelector('[data-dispatch="' + String(id) + '"]');
    }

    function item(data) {
      var source = fragment(data.html);
      var time = source.querySelector("time");
      var headline = source.querySelector(".dispatch__headline");
      var badge = source.querySelector(".dispatch__locked .badge");
      var li = document.createElement("li");
      li.className = "home-live__item";
      li.dataset.dispatch = String(data.dispatch);
      if (time) {
        li.appendChild(time.cloneNode(true));
      }
      var link = document.createElement("a");
      link.href = newsroom + "#depeche-" + String(data.dispatch);
      link.textContent = headline ? headline.textContent.trim() : "";
      li.appendChild(link);
      if (badge) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(badge.cloneNode(true));
      }
      return li;
    }

    var once_ = once();
    var source = new EventSource(streamUrl(root));
    follow(root, source);
    source.addEventListener("dispatch", function (event) {
      var data = JSON.parse(event.data);
      if (!once_(root, data)) {
        return;
      }
      var fresh = item(data);
      var existing = find(data.dispatch);
      if (existing) {
        existing.replaceWith(fresh);
        return;
      }
      if (data.kind === "updated") {
        return; // a correction to an older dispatch that is not in the box
      }
      fresh.classList.add("home-live__item--new");
      list.insertBefore(fresh, list.firstChild);
      var empty = root.querySelector(".home-live__empty");
      if (empty) {
        empty.remove();
      }
      while (list.children.length > max) {
        list.lastElementChild.remove();
      }
    });
    source.addEventListener("withdrawn", function (event) {
      var data = JSON.parse(event.data);
      if (!once_(root, data)) {
        return;
      }
      var existing = find(data.dispatch);
      if (existing) {
        existing.remove();
      }
    });
  }

  document.querySelectorAll("[data-live-feed]").forEach(initFeed);
  document.querySelectorAll("[data-live-list]").forEach(initList);
  document.querySelectorAll("[data-live-blog]").forEach(initBlog);
})();
