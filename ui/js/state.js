// The window's state, all of it: the voter's side and the official's side.
// Screens read and write it here; nothing else is kept between screens.
export const state = {
  voter: {
    context: null,         // the election as the shell describes it (voter_context)
    ballot: null,          // the ballot being filled in; forgotten on timeout
    language: 'en',        // the language of the screens' own strings
    ballotLanguage: 'en',  // the language of the ballot texts (may lack a string table)
  },
  official: {
    me: null,              // the logged-in official: {username, role}
    token: null,           // the session's opaque token (the shell checks it)
    idleLogoutSecs: 60,    // the session's idle logout (the station's setting)
    unlisten: null,        // stops the dashboard's status listener
  },
};
