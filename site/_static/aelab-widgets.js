// Runs between RequireJS and ipywidgets' HTML manager (embed-amd.js), on notebook pages
// that carry widget state (tools/build_site.py puts the three scripts in that order).
(function () {
  "use strict";
  // The manager finds its icon fonts next to the AMD modules it defines, which RequireJS
  // places under the page's folder by default; point those module ids at the folder the
  // build copied the manager into, so the fonts load from the site itself.
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  var widgets = here + "widgets";
  window.require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": widgets,
      "@jupyter-widgets": widgets,
    },
  });
  // The manager typesets HTML widgets through MathJax 2's MathJax.Hub.Queue; the site runs
  // MathJax 3 (loaded deferred, so it exists by DOMContentLoaded, before the manager draws
  // on load). Give it the one call, mapped onto MathJax 3's typesetPromise.
  function addHub() {
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {
        Queue: function (job) {
          var element = Array.isArray(job) ? job[2] : undefined;
          if (typeof mj.typesetPromise === "function") {
            mj.typesetPromise(element ? [element] : undefined);
          }
        },
      };
    }
  }
  document.addEventListener("DOMContentLoaded", addHub);
})();
