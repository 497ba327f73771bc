//! The "Manage JIT Access Request" issue action page: its view model (`view`), the decision
//! form's rules (`form`, also run by the page) and its resolvers (`resolvers`).

pub mod form;
pub mod resolvers;
pub mod view;
