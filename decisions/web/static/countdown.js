/* Time left until a deadline, counted down in the page. Each <time data-countdown> holds the
   server's text, right when this script does not run; the script rewrites it every 15
   seconds from its deadline (datetime), in its sentence (data-sentence, "{duration}" in it)
   and, once the deadline has passed, says so (data-passed). Durations are told as the
   server tells them (the two largest of days, hours and minutes) in the words the server
   put on the element (data-day-one, data-day-other...), by the plural rules of the page's
   language. The page's clock is set by the server's (data-now): a computer's wrong clock
   neither hides nor invents time left. */
(function () {
  "use strict";
  var times = document.querySelectorAll("time[data-countdown]");
  if (!times.length) {
    return;
  }
  var loaded = Date.now();
  var plurals = null;
  if (window.Intl && Intl.PluralRules) {
    plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  }

  function words(time, unit, count) {
    var form = plurals ? plurals.select(count) : (count === 1 ? "one" : "other");
    var text = time.getAttribute("data-" + unit + "-" + (form === "one" ? "one" : "other"));
    return (text || "{n} " + unit).replace("{n}", String(count));
  }

  function duration(time, milliseconds) {
    if (milliseconds < 60000) {
      return time.getAttribute("data-less") || "";
    }
    var minutes = Math.floor(milliseconds / 60000);
    var parts = [["day", Math.floor(minutes / 1440)], ["hour", Math.floor(minutes / 60) % 24],
                 ["minute", minutes % 60]];
    var shown = [];
    for (var i = 0; i < parts.length && shown.length < 2; i += 1) {
      if (parts[i][1] > 0) {
        shown.push(words(time, parts[i][0], parts[i][1]));
      }
    }
    return shown.join(" ");
  }

  function tick() {
    var elapsed = Date.now() - loaded;
    for (var i = 0; i < times.length; i += 1) {
      var time = times[i];
      var deadline = Date.parse(time.getAttribute("datetime"));
      var rendered = Date.parse(time.getAttribute("data-now"));
      if (isNaN(deadline) || isNaN(rendered)) {
        continue;
      }
      var left = deadline - (rendered + elapsed);
      var sentence = time.getAttribute("data-sentence") || "{duration}";
      var text = left > 0 ? sentence.replace("{duration}", duration(time, left))
                          : time.getAttribute("data-passed");
      if (text && time.textContent !== text) {
        time.textContent = text;
      }
    }
  }

  tick();
  window.setInterval(tick, 15000);
}());
