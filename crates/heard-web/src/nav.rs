//! The site header's links, which depend on who is looking.

use heard_store::Role;

use crate::auth::Visitor;

/// What the header offers: the signed-in person's links, or "Sign in" and "Register".
pub struct Nav {
    pub user: Option<NavUser>,
    /// Offer "Sign in" and "Register" to visitors who are not signed in (not on error pages, which
    /// do not know who is looking).
    pub offer_sign_in: bool,
}

pub struct NavUser {
    pub name: String,
    /// The token the "Sign out" form carries.
    pub csrf: String,
    pub moderator: bool,
    /// May use the back office of consultations.
    pub staff: bool,
    pub admin: bool,
}

impl Nav {
    pub fn for_visitor(visitor: &Visitor) -> Nav {
        let user = visitor.session.as_ref().map(|s| NavUser {
            name: s.account.user.display_name.clone(),
            csrf: s.csrf_token.clone(),
            moderator: matches!(s.account.user.role, Role::Moderator | Role::Admin),
            staff: matches!(s.account.user.role, Role::Host | Role::Admin),
            admin: s.account.user.role == Role::Admin,
        });
        Nav { user, offer_sign_in: true }
    }

    /// For pages that do not know who is looking.
    pub fn neutral() -> Nav {
        Nav { user: None, offer_sign_in: false }
    }
}
