// Swagger UI over our own OpenAPI document (served from the npm package, never a CDN).
(function () {
  var target = document.getElementById("swagger");
  window.SwaggerUIBundle({
    url: target.dataset.spec,
    domNode: target,
    deepLinking: true,
    // A cookie session needs the CSRF token on every POST; token users send Bearer instead.
    requestInterceptor: function (request) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      if (meta && !request.headers["X-CSRFToken"]) {
        request.headers["X-CSRFToken"] = meta.content;
      }
      return request;
    },
  });
})();
