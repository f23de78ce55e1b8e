-- Back to m0019's three gradebook scopes; clients holding one of the three new ones lose it.
update data.partner_clients
   set scopes = array(select s from unnest(scopes) s
                      where s not in ('https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly',
                                      'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost',
                                      'https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly'))
 where scopes && array['https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly',
                       'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost',
                       'https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly']::text[];
alter table data.partner_clients drop constraint partner_clients_scopes_check;
alter table data.partner_clients add constraint partner_clients_scopes_check check (scopes <@ array[
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete',
    'urn:school-data-api:scope:roster.import']::text[]);
