//! Compiles the .slint screens (ui/) with the translations of ui/lang bundled in. Strings are looked up by their
//! English text alone (no per-component context), so one translation serves every screen that says the same thing.
fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("ui/lang")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .embed_resources(slint_build::EmbedResourcesKind::EmbedFiles);
    slint_build::compile_with_config("ui/app.slint", config).expect("the .slint screens compile");
}
