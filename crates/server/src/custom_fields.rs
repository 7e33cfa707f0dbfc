//! A tenant's custom customer fields as `crm` checks values against them: the stored
//! definitions (JSON kinds in `store`) turned into [`crm::FieldDefs`], for the import CLI and
//! the customer API alike.

use crm::{FieldDef, FieldDefs, FieldKey};
use store::TenantStore;

/// Why a tenant's custom fields could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FieldDefsError {
    /// The store could not be read.
    #[error("cannot read custom fields: {0}")]
    Store(#[from] store::Error),
    /// A stored definition no longer loads (written by an older or broken version).
    #[error("custom fields: {0}")]
    Corrupt(String),
}

/// The tenant's custom field definitions, checked.
pub async fn tenant_field_defs(tenant: &TenantStore) -> Result<FieldDefs, FieldDefsError> {
    let stored = tenant.custom_field_defs().await?;
    let mut defs = Vec::with_capacity(stored.len());
    for def in stored {
        let corrupt = |e: &dyn std::fmt::Display| {
            FieldDefsError::Corrupt(format!("field {:?}: {e}", def.key))
        };
        defs.push(FieldDef {
            key: FieldKey::new(&def.key).map_err(|e| corrupt(&e))?,
            label: def.label.clone(),
            kind: serde_json::from_value(def.kind.clone()).map_err(|e| corrupt(&e))?,
            required: def.required,
        });
    }
    FieldDefs::new(defs).map_err(|e| FieldDefsError::Corrupt(e.to_string()))
}
