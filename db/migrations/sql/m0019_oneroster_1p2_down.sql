-- Back to the rostering scopes only; clients holding a gradebook scope lose it.
update data.partner_clients
   set scopes = array(select s from unnest(scopes) s where s not like 'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.%')
 where scopes::text like '%/scope/gradebook.%';
alter table data.partner_clients drop constraint partner_clients_scopes_check;
alter table data.partner_clients add constraint partner_clients_scopes_check check (scopes <@ array[
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
    'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
    'urn:school-data-api:scope:roster.import']::text[]);
