// Results as you type (Meilisearch's mini-dashboard): the form's own URL is fetched and its <main> swapped in.
// The page works without this script: the form is a plain GET form and every link is a plain link.
"use strict";
(function () {
  const form = document.getElementById("search");
  if (!form || !window.fetch || !window.DOMParser) return;
  let timer = null;
  let inFlight = null;

  function formUrl() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (value && !(name === "sort" && value === "score")) params.append(name, value);
    }
    const query = params.toString();
    return query ? "/?" + query : "/";
  }

  async function refresh() {
    const url = formUrl();
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    try {
      const response = await fetch(url, { signal: inFlight.signal, headers: { Accept: "text/html" } });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("main");
      if (!fresh) return;
      document.getElementById("main").replaceWith(document.adoptNode(fresh));
      document.title = page.title;
      history.replaceState(null, "", url);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  // While an input method is composing (pinyin, zhuyin), the box holds Latin letters: wait for the characters.
  form.addEventListener("input", (event) => { if (!event.isComposing) soon(); });
  form.addEventListener("compositionend", soon);
  form.addEventListener("change", soon);
})();
