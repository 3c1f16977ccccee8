// Shows a survey question that depends on another on the same page only while its condition is
// met. Without this script every such question shows, with a note saying when to answer it, and
// the server asks for it only when the condition is met: this only tidies the page.
(function () {
  'use strict';
  var form = document.querySelector('.survey-form');
  if (!form) return;
  var dependants = form.querySelectorAll('[data-show-field]');
  if (!dependants.length) return;

  function chosen(field) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + field + '"]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) values.push(inputs[i].value);
    }
    return values;
  }

  function update() {
    for (var i = 0; i < dependants.length; i++) {
      var question = dependants[i];
      var wanted = question.getAttribute('data-show-values').split('\n');
      var given = chosen(question.getAttribute('data-show-field'));
      var shown = given.some(function (v) { return wanted.indexOf(v) !== -1; });
      question.hidden = !shown;
    }
  }

  form.addEventListener('change', update);
  update();
})();
