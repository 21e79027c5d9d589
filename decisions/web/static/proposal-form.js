/* The new proposal page: show only the options of the decision rule chosen, without asking
   the server (without this script every rule's options show, under their headings, and the
   server reads only the chosen rule's), and bring the summary of errors into focus so that
   it is read first. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var family = document.getElementById("family");
  if (!family) {
    return;
  }
  function showChosen() {
    var parts = document.querySelectorAll("[data-families]");
    for (var i = 0; i < parts.length; i += 1) {
      var families = parts[i].getAttribute("data-families").split(" ");
      parts[i].hidden = families.indexOf(family.value) < 0;
    }
  }
  family.addEventListener("change", showChosen);
  showChosen();
}());
