// Package hsdsread reads real, messy Open Referral HSDS data (3.0 JSON,
// the 3.0 tabular data package, and the HSDS 1.x and 2.0 data packages most
// 211 systems and cities published) into a stream of flat hsds records,
// and reports every problem it meets.
//
// # Flat records
//
// Read hands each record to a Sink as soon as it is read: a Record holds
// its Kind (the 3.0 table: "service", "phone", ...), its id, where it was
// read (file, row, path inside a JSON document) and a pointer to the hsds
// struct. A record is flat: an object nested in a JSON document (a
// service's phones, an organization's services and their locations) is
// delivered as a record of its own and left out of its parent, and its
// links to the objects it was nested in are filled in (a phone nested in a
// contact of a service at a location carries contact_id,
// service_at_location_id, ...). So JSON and CSV come out the same: the
// phone of service_full.json and the row of phones.csv are one record with
// the same ids.
//
// Nesting goes two ways. An owned child (a service's phones) gets its
// parent's id in its own <parent>_id field; a referenced parent (a
// service's organization, a service at location's location, an
// attribute's taxonomy_term, a term's taxonomy_detail) gives its id to the
// <child>_id field of the object holding it, and a service's program
// inherits the service's organization. An attribute's link_id and
// link_entity, and a metadata's resource_id and resource_type, are always
// those of the object it is nested in. The same object nested twice in one
// document (the official examples nest one phone five times) is one record
// with every link; a referenced parent met again in a later document (an
// organization embedded in each of its services) is the same record,
// counted in Report.Repeats, and neither delivered nor reported again.
//
// Within a document, and across tables, parents are delivered before
// children, in this order: organization, program, organization_identifier,
// taxonomy, taxonomy_term, location, service, service_at_location,
// contact, phone, address, schedule, service_area, language,
// accessibility, required_document, cost_option, funding, attribute,
// metadata.
//
// # Built for a million services
//
// CSV and NDJSON are read row by row, a JSON array or a file of JSON
// values one element at a time; nothing holds a table. What Read keeps is
// the set of ids delivered of each kind (to find duplicates and check
// links as rows arrive) and the links within a table that point forwards
// (a term before its parent term), checked at the end. An API page's
// contents and one JSON document are held whole, up to
// Limits.MaxObjectBytes.
//
// # Inputs
//
// Read takes a folder, a .zip, a datapackage.json or one file; ReadFS,
// ReadZip and ReadFile take the same from an fs.FS, an io.ReaderAt or a
// stream. In a folder or zip every .csv, .tsv, .json, .ndjson and .jsonl
// file is read (hidden files and __MACOSX are not), tables and JSON files
// in the order above, by the kind their names tell, then by name. A
// datapackage.json's resources are checked: a file it lists that is not
// there is a missing_file problem; files it does not list are read too.
//
// A CSV file's table is its file name (or, inside tabular.json, its
// member's name), singular or plural: "services.csv" or "service.csv". Its
// delimiter is sniffed from the header (the most frequent of , ; tab |
// outside quotes); a UTF-8 byte order mark is dropped, a UTF-16 one
// decodes the file, and bytes that are not UTF-8 are read as Windows-1252
// (reported once per file); CRLF and quoted newlines are CSV. Header names
// are lower-cased, with spaces and dashes as underscores.
//
// A JSON file may hold one object, an HSDS API page ({"contents": [...]}),
// an array of objects, several values one after another, or, named .ndjson
// or .jsonl, one object a line (a bad line is reported and the next one
// read). Ids given as numbers are kept as their text. The kind of each
// object is its file's name, without .json/.ndjson/.jsonl and a "_full",
// "_list" or "_page" suffix, singular or plural ("service_full.json",
// "services.ndjson", "organization_list.json", "taxonomies.json"). When
// the name does not tell, the object's members do, the first rule that
// matches winning: location_type, addresses, latitude or longitude: a
// location; status, service_at_locations, organization or
// eligibility_description: a service; services, website, tax_status,
// year_incorporated or organization_identifiers: an organization;
// service_id with location_id and no number, or service with location: a
// service at location; number: a phone; address_1: an address; opens_at,
// closes_at, byday or freq: a schedule; taxonomy_detail, term_uri,
// parent_id, taxonomy_id, or code with name: a taxonomy term; version with
// name: a taxonomy; name with description: an organization. Anything else
// is an unknown_kind problem. The tabular form written as one JSON object
// ({"organizations.csv": [rows], ...}, as the examples' tabular.json) is
// read as a package.
//
// # HSDS 1.x and 2.0 tables
//
// The older tables and columns are mapped to 3.0 records so:
//
//	1.x / 2.0 table                    3.0 record       what changes
//	organizations, organization        organization     url → website
//	services, service                  service          fees → fees_description (with no fees_description column),
//	                                                    eligibility → eligibility_description
//	locations                          location         location_type "physical" when the table has no such column
//	physical_address(es)               address          address_type "physical"; address_3, address_4 appended to address_2
//	postal_address(es)                 address          address_type "postal"; as above
//	regular_schedule(s)                schedule         weekday (Monday…, Mon, MO, 1–7 with 1 Monday, 0 or 7 Sunday)
//	                                                    → byday and freq WEEKLY; opens_at, closes_at normalized
//	holiday_schedule(s)                schedule         start_date/end_date → valid_from/valid_to; closed → no times,
//	                                                    description "Closed."; notes "holiday"
//	taxonomy (with parent_id,          taxonomy_term    vocabulary → taxonomy; parent_id kept
//	  parent_name or vocabulary)
//	taxonomy_term(s) (2.0)             taxonomy_term    term → name
//	service_taxonomy                   attribute        service_id → link_id (link_entity "service"),
//	                                                    taxonomy_id → taxonomy_term_id, taxonomy_detail → value
//	service_attribute(s) (2.0)         attribute        service_id → link_id, link_entity "service"
//	other_attribute(s) (2.0)           attribute        link_type → link_entity
//	eligibility                        attribute        link_type "eligibility", eligibility → value
//	payment_accepted                   attribute        link_type "payment_accepted", payment → value
//	languages                          language         language → name
//	accessibility_for_disabilities     accessibility    accessibility → description
//	service_area(s)                    service_area     service_area → name
//	phones                             phone            language → appended to description ("Language: ...")
//	contact(s), program(s), funding,   the same         as named
//	  required_document(s), services_at_location, service_at_location, metadata
//
// In any table, zip/zipcode/postcode → postal_code, state/province →
// state_province, address/street → address_1 and phone/phone_number/
// telephone → number, when the table has no column of the 3.0 name.
// meta_table_description rows are counted in Report.Skipped, not
// delivered. A link table with no id column (service_taxonomy often has
// none) gets ids of its file's name and row number ("service_taxonomy:3"),
// reported once.
//
// # Checks and repairs
//
// Every text is trimmed. Ids are kept as given (UUIDs or not). URLs
// (organization website and logo, service, location and accessibility
// url, schedule_link) go through NormalizeURL, e-mails through
// NormalizeEmail, phone numbers through NormalizePhone (the extension
// found fills an empty extension, the text around the number is added to
// the description), opening and closing times through NormalizeTime, and
// an opens_at holding a range ("9-5", "24 hours") with no closes_at
// through NormalizeTimeRange; an ambiguous range is reported, cleared and
// kept in an empty description for a person to read. Enums (service
// status, location_type, address_type, freq, wkst) are matched without
// regard to case, spaces or underscores; latitude, longitude and ages out
// of range are cleared.
//
// Links: a record whose needed parent is not among the records delivered
// before it is dropped (a service of no organization, a service at
// location of no service or location, an address of no location, an
// attribute or metadata whose link_id or resource_id names nothing); a
// phone, contact, schedule, language or funding record, which may belong
// to any of several parents, has the links that name nothing cleared and
// is dropped only if none is left; an optional link (service.program_id,
// location.organization_id, taxonomy_term.taxonomy_id,
// attribute.taxonomy_term_id) that names nothing is cleared. A dropped
// record's children are dropped in turn, each reported. A duplicate id of
// a kind keeps the first record. Required fields: an empty id, name (of an
// organization, program, service, taxonomy or term), phone number,
// address_1 or identifier drops the record; other required fields are
// reported and the record kept (for a CSV table, only when it has the
// column: 1.x had no organization description or location_type).
//
// # Problems and the report
//
// Every input row or object is delivered or reported as a Problem with
// Dropped set; nothing is dropped silently. A Problem names the file, the
// row (1-based data row of a CSV, line of NDJSON, position in a JSON file),
// the path inside a JSON document, the record's kind and id, the field,
// and a Kind, a stable short code: missing_parent, duplicate_id,
// parent_conflict, missing_required, bad_time, bad_phone, bad_url,
// bad_email, bad_value, missing_file, encoding, unknown_column,
// unknown_table, unknown_kind, bad_json, bad_csv, empty_row, too_large.
// The Report counts records by kind and problems by kind, keeps the first
// Options.KeepProblems problems, and WriteText prints the first n then a
// count per kind; Options.OnProblem sees every one.
//
// # Limits and errors
//
// Limits (Options.Limits; a zero field takes its default) bound the whole
// input (2 GiB), one file (1 GiB), one CSV record or NDJSON line (1 MiB),
// one JSON document (64 MiB), the number of files (10000) and a zip
// entry's expansion (100 times, for entries over 1 MiB). A line or document
// over its bound is a too_large problem and the rest of that file is not
// read; the other bounds stop Read with an error wrapping ErrTooLarge or
// ErrZipBomb. A zip entry or symbolic link leading out of the input ("../x",
// "/x", "C:/x", a link to outside the folder, which os.Root refuses) stops
// Read with ErrUnsafePath; a .zip that is not one, or is cut short, with
// ErrNotZip. Read also stops when the context is done (its error is
// returned) or the sink returns an error; the Report is returned as far as
// it got. Options.OnProgress is told the bytes read, the input's size when
// known, and the records and problems so far, after each file and every
// Options.ProgressEvery records.
package hsdsread
