"""WTForms per domain. Forms do the validating; controllers never read request.form."""
