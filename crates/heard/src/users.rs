//! `heard users create`: accounts made from the command line, such as the first administrator.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use heard_store::{Demographics, NewAccount, Role, Store, StoreError, Timestamp};

/// The shortest password accepted, as on the register page.
const MIN_PASSWORD_CHARS: usize = 10;

pub async fn create(role: &str, email: &str, name: &str, store: &Store) -> Result<()> {
    let role = Role::parse(role).with_context(|| format!("{role:?} is not a role"))?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password (read from standard input) needs at least {MIN_PASSWORD_CHARS} characters");
    }
    let password_hash = heard_web::auth::hash_password(password).map_err(anyhow::Error::msg)?;
    let new = NewAccount {
        display_name: name.to_owned(),
        email: email.to_owned(),
        password_hash,
        role,
        borough: None,
        demographics: Demographics::default(),
        created_at: Timestamp::now(),
        // The operator typed the address and vouches for it: it links this person's responses at once.
        email_confirmed: true,
        special_category_consent: false,
    };
    let id = match store.create_account(&new).await {
        Ok(id) => id,
        Err(StoreError::EmailTaken) => bail!("there is already an account with the email address {email:?}"),
        Err(e) => return Err(e).context("creating the account"),
    };
    println!("created {} account {id} for {name}", role.as_str());
    store.close().await;
    Ok(())
}
