// A hash-routed single-page app: the static HTML is an empty shell; the text comes from
// content.json, fetched at runtime (a little late, as real apps do), and each route is a page.
(function () {
  var app = document.getElementById('app');
  var content = null;

  function render() {
    if (!content) return;
    var route = location.hash.replace(/^#!?/, '') || '/';
    var page = content.pages[route] || content.pages['/'];
    var nav = content.nav.map(function (item) {
      return '<a href="' + item.href + '">' + item.label + '</a>';
    }).join('');
    app.innerHTML =
      '<header><h1>' + content.business + '</h1><nav>' + nav + '</nav></header>' +
      '<main><h2>' + page.title + '</h2>' + page.paragraphs.map(function (p) { return '<p>' + p + '</p>'; }).join('') + '</main>' +
      '<footer><img src="/logo.png" alt=""><a href="https://www.instagram.com/harborlightsbakery">Instagram</a></footer>';
  }

  window.addEventListener('hashchange', render);
  setTimeout(function () {
    fetch('/content.json')
      .then(function (r) { return r.json(); })
      .then(function (json) { content = json; render(); });
  }, 150);
})();
