// The admin's CSV export page: "Select all" ticks or clears every field's box. Bound here, not in
// an onchange attribute, which the Content-Security-Policy blocks.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("select-all-toggle");
  if (!toggle) return;
  toggle.addEventListener("change", () => {
    document
      .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
      .forEach((box) => {
        box.checked = toggle.checked;
      });
  });
});
