// Starts django-allauth's passkey (WebAuthn) forms from data attributes, in place of allauth's own
// inline JSON start-up blocks: the content security policy allows no inline script.
//
// An element with data-passkey-form="addForm" (or loginForm, authenticateForm) starts that form of
// allauth's static/mfa/js/webauthn.js. Its other data-passkey-* attributes give the ids allauth
// asks for (data-passkey-credential="id_credential" becomes ids.credential); the options the
// server made for the browser are read from the json_script element named by data-passkey-data.
// When the browser or the authenticator refuses, the page's #passkey-error summary says so.
(function () {
  'use strict'

  function idsOf (element) {
    const ids = {}
    Object.keys(element.dataset).forEach(function (key) {
      if (key.indexOf('passkey') === 0 && key !== 'passkeyForm' && key !== 'passkeyOptions') {
        const name = key.slice('passkey'.length)
        ids[name.charAt(0).toLowerCase() + name.slice(1)] = element.dataset[key]
      }
    })
    return ids
  }

  function showError () {
    const summary = document.getElementById('passkey-error')
    if (!summary) {
      return
    }
    summary.hidden = false
    summary.focus()
  }

  document.addEventListener('allauth.error', function (event) {
    if (document.getElementById('passkey-error')) {
      event.preventDefault()
      showError()
    }
  })

  document.addEventListener('DOMContentLoaded', function () {
    const forms = window.allauth && window.allauth.webauthn && window.allauth.webauthn.forms
    if (!forms || !window.PublicKeyCredential) {
      document.querySelectorAll('[data-passkey-unsupported]').forEach(function (element) {
        element.hidden = false
      })
      return
    }
    document.querySelectorAll('[data-passkey-form]').forEach(function (element) {
      const start = forms[element.dataset.passkeyForm]
      if (typeof start === 'function') {
        const options = element.dataset.passkeyOptions
        start({ ids: idsOf(element), data: options ? JSON.parse(options) : undefined })
      }
    })
  })
})()
