-- Personal data (UK GDPR): confirmed email addresses and explicit consent for special-category
-- answers.

-- An address links a person's responses (their account, letters, emails, event places, survey
-- answers sent without signing in) only once its owner has shown they hold it, by following the
-- link mailed to it. Accounts made before this migration are unconfirmed: nobody ever proved they
-- held their address, and an account squatting someone else's address would otherwise gather that
-- person's letters. Staff are the exception: the operator made them (`heard users create`) or an
-- administrator gave them their role, and they are vouched for.
ALTER TABLE users ADD COLUMN email_confirmed_at INTEGER;
UPDATE users SET email_confirmed_at = created_at WHERE email_key IS NOT NULL AND role <> 'resident';

-- When the person gave explicit consent (UK GDPR Art. 9(2)(a)) to keep their answers about
-- ethnic group and disability; without it those answers are not kept. Answers given before this
-- migration were given under a form that did not ask, so they are removed.
ALTER TABLE users ADD COLUMN special_category_consent_at INTEGER;
UPDATE users SET ethnic_group = NULL, disability = NULL
    WHERE (ethnic_group IS NOT NULL AND ethnic_group <> 'Prefer not to say')
       OR (disability IS NOT NULL AND disability <> 'Prefer not to say');

-- Links that confirm an address: only the SHA-256 of the token is stored; a link works once and
-- expires. `email_key` is the address the link was sent to, so that a link confirms that address
-- and no other.
CREATE TABLE email_confirmations (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    email_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX email_confirmations_by_user ON email_confirmations (user_id);
