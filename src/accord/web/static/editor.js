// The dmn-js editor: opens the file's first decision table (the DRD and other decisions
// are a click away), and on save puts the edited XML in the form.
(async function () {
  var xml = JSON.parse(document.getElementById('dmn-xml').textContent);
  var modeler = new DmnJS({ container: '#canvas' });  // keyboard binding is implicit now
  window.accordModeler = modeler;  // for the browser tests
  try {
    await modeler.importXML(xml);
  } catch (error) {
    document.getElementById('canvas').textContent = 'This file cannot be opened: ' + error.message;
    return;
  }
  var nav = document.getElementById('views');
  function showViews() {
    nav.innerHTML = '';
    modeler.getViews().forEach(function (view) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = (view.element.name || view.element.id) + ' (' + view.type.replace(/([A-Z])/g, ' $1').toLowerCase() + ')';
      if (view === modeler.getActiveView()) { button.setAttribute('aria-pressed', 'true'); }
      button.addEventListener('click', function () { modeler.open(view).then(showViews); });
      nav.appendChild(button);
    });
  }
  var table = modeler.getViews().find(function (view) { return view.type === 'decisionTable'; });
  if (table) { await modeler.open(table); }
  showViews();
  document.body.dataset.editorReady = '1';
  var form = document.getElementById('save-form');
  if (form) {
    form.addEventListener('submit', async function (event) {
      if (form.dataset.saved) { return; }
      event.preventDefault();
      var result = await modeler.saveXML({ format: true });
      document.getElementById('xml-field').value = result.xml;
      form.dataset.saved = '1';
      form.submit();
    });
  }
})();
