//! The app's configuration page (`jira:adminPage`, `useAsConfig`): its resolvers check that the
//! caller is a Jira administrator (`access::require_admin`) on every call, then hand over to the
//! settings page of the provider that has one (`providers::SettingsPage`). Nothing here knows a
//! provider's settings.

pub mod resolvers;
