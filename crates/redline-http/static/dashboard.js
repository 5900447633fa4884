// redline dashboard: the only script. Adds the reader's local time beside every UTC time.
// Pages are complete without it.
(function () {
  "use strict";
  function addLocalTimes() {
    var format;
    try {
      format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        dateStyle: "medium", timeStyle: "short"
      });
    } catch (error) { return; }
    document.querySelectorAll("time[datetime]").forEach(function (element) {
      if (element.dataset.localised) { return; }
      var date = new Date(element.getAttribute("datetime"));
      if (isNaN(date.getTime())) { return; }
      var local = document.createElement("span");
      local.className = "local-time";
      local.textContent = "(" + format.format(date) + ")";
      element.after(local);
      element.dataset.localised = "1";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addLocalTimes);
  } else {
    addLocalTimes();
  }
}());
