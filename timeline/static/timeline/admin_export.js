// The export page's "Select all" box. django-import-export binds it with an inline onchange attribute, which the
// Content-Security-Policy blocks; templates/admin/import_export/export.html drops that attribute for this file.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("select-all-toggle");
  if (toggle && typeof onSelectToggleChange === "function") {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
