-- Every Gradebook scope of OneRoster 1.2's securitySchemes (OAuth2CC) is
-- grantable, and assessment.readonly; assessment.createput and .delete are not
-- (no assessment write is served).
alter table data.partner_clients drop constraint partner_clients_scopes_check;
alter table data.partner_clients add constraint partner_clients_scopes_check check (scopes <@ array[
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly',
    'urn:school-data-api:scope:roster.import']::text[]);
