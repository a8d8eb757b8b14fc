// The rejection page: choosing a reason opens the email it sends and closes the others.
// Progressive enhancement only: without this, each reason's email can be opened by hand.
const select = document.getElementById("id_reason");
if (select) {
  const show = () => {
    for (const preview of document.querySelectorAll("details[data-reason]")) {
      preview.open = preview.dataset.reason === select.value;
    }
  };
  select.addEventListener("change", show);
  if (select.value) show();
}
