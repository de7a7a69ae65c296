// Charts: every <script type="application/json" data-chart="ID"> holds a Vega-Lite spec for
// the element with that id. Rendered on load and after htmx swaps (the segment preview).
(function () {
  function render(root) {
    root.querySelectorAll('script[data-chart]').forEach(function (script) {
      var target = document.getElementById(script.dataset.chart);
      if (!target || target.dataset.rendered) { return; }
      target.dataset.rendered = '1';
      // ast + the interpreter: vega evaluates its expressions without eval (the page's CSP)
      vegaEmbed(target, JSON.parse(script.textContent), {
        actions: false, renderer: 'svg', ast: true, expr: window.vegaExpressionInterpreter })
        .catch(function (error) { target.textContent = 'The chart could not be drawn: ' + error; });
    });
  }
  document.addEventListener('DOMContentLoaded', function () { render(document); });
  document.body.addEventListener('htmx:afterSwap', function (event) { render(event.target); });
})();
