// A new pledge's web address part follows its text as the organiser types (made by the slugify
// library), until they write one of their own; emptied, it follows the text again.
const slug = document.querySelector("[data-slug-of]");
const source = slug && document.getElementById(slug.dataset.slugOf);

if (slug && source && window.slugify) {
  let own = slug.value !== "";
  const follow = () => {
    if (!own) {
      const made = window.slugify(source.value, { lower: true, strict: true, trim: true });
      slug.value = made.slice(0, Number(slug.maxLength) > 0 ? slug.maxLength : 60).replace(/-+$/, "");
    }
  };
  slug.addEventListener("input", () => {
    own = slug.value !== "";
    if (!own) follow();
  });
  source.addEventListener("input", follow);
  follow();
}
