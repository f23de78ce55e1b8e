-- An admin can grant a partner the OneRoster 1.2 Gradebook scopes (issue 17):
-- Google's conformance suite asks for them beside roster.readonly. Granting
-- them gives no access by itself: only routes that check them (the gradebook
-- service) read or write with them.
alter table data.partner_clients drop constraint partner_clients_scopes_check;
alter table data.partner_clients add constraint partner_clients_scopes_check check (scopes <@ array[
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete',
    'urn:school-data-api:scope:roster.import']::text[]);
