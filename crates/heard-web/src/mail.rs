//! Sending email over SMTP (lettre): password reset links, registration notices, confirmations.
//! Mail that must not show in a page's timing (whether an address has an account) is sent off
//! the request with [`Mailer::send_in_background`].

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::MailSettings;

/// A connection to the SMTP server named in the settings.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: String,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Mailer {
        // Plain SMTP: heard hands mail to a relay it trusts (on loopback in the tests).
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.smtp_host)
            .port(settings.smtp_port)
            .build();
        Mailer { transport, from: settings.from.clone() }
    }

    /// Sends a plain-text message. The error says what failed, never to whom.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let from: Mailbox = self.from.parse().map_err(|e| format!("the sender address is not valid: {e}"))?;
        let to: Mailbox = to.parse().map_err(|e| format!("the recipient address is not valid: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("building the message: {e}"))?;
        self.transport.send(message).await.map_err(|e| format!("sending over SMTP: {e}"))?;
        Ok(())
    }
}

impl Mailer {
    /// Sends in a task of its own, so the request that asked for it answers at once however long
    /// the SMTP server takes. `what` names the message in the log ("password reset link"), with
    /// the account's id, never the address.
    pub fn send_in_background(
        &self,
        to: String,
        subject: &'static str,
        body: String,
        user_id: i64,
        what: &'static str,
    ) {
        let mailer = self.clone();
        let sending = async move {
            match mailer.send(&to, subject, body).await {
                Ok(()) => tracing::info!(user.id = user_id, "{what} sent"),
                Err(e) => tracing::error!(user.id = user_id, error = %e, "sending a {what}"),
            }
        };
        tokio::spawn(tracing::Instrument::in_current_span(sending));
    }
}
