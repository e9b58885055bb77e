-- Benchmark data for bench_contacts.sh: :n contacts in the account
-- :acc of the organization :org, run as the superuser with triggers off
-- (session_replication_role = replica); contacts_derive.sql then builds
-- what the triggers would have (labels, counts, members) in one pass.
--
-- Names: 200 first names x 200 last names; e-mail for 80%, company for
-- two thirds; 5 distinct tags of 200 and 2 distinct groups of 200 each;
-- every tenth contact opted out.  Phones: :cc, one digit 2-9, then nine
-- digits that run through a bijection of i, so every digit trigram is
-- about as frequent as in real numbers and no two phones are equal.
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SET synchronous_commit = off;
INSERT INTO wa.contacts (id, org_id, account_id, phone, wa_id, name, email,
    company, tags, groups, is_opted_in, opt_in_date, opt_out_date,
    created_at, updated_at)
SELECT md5(:'acc' || i)::uuid, :'org', :'acc', p, substr(p, 2),
    f || ' ' || l,
    CASE WHEN h % 5 <> 0 THEN lower(f) || '.' || lower(l) || (i % 997) ||
	'@' || dom[1 + (h >> 4) % 8] END,
    CASE WHEN h % 3 <> 0 THEN co[1 + (h >> 9) % 40] || ' ' ||
	cs[1 + (h >> 15) % 8] END,
    ARRAY['tag' || t0, 'tag' || (t0 + ts) % 200,
	'tag' || (t0 + 2 * ts) % 200, 'tag' || (t0 + 3 * ts) % 200,
	'tag' || (t0 + 4 * ts) % 200],
    ARRAY['group' || g0, 'group' || (g0 + 1 + (h >> 40) % 199) % 200],
    i % 10 <> 0, at, CASE WHEN i % 10 = 0 THEN at END, at, at
FROM (SELECT
    ARRAY['gmail.com', 'yahoo.com', 'outlook.com', 'example.com',
	'icloud.com', 'proton.me', 'acme.io', 'mail.de'] AS dom,
    ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay',
	'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne', 'Soylent',
	'Aperture', 'Massive', 'Dunder', 'Gringotts', 'Monarch', 'Oscorp',
	'Pied Piper', 'Prestige', 'Sterling', 'Bluth', 'Krusty', 'Nakatomi',
	'Oceanic', 'Paper Street', 'Rekall', 'Sirius', 'Tessier', 'Virtucon',
	'Weyland', 'Yoyodyne', 'Zorg', 'Brawndo', 'Gekko', 'Ingen', 'Lacuna',
	'Mooby', 'Nordic', 'Quark'] AS co,
    ARRAY['Inc', 'LLC', 'Ltd', 'GmbH', 'Group', 'Labs', 'Partners',
	'Holdings'] AS cs,
    ARRAY['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer',
	'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara',
	'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles',
	'Karen', 'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Betty',
	'Anthony', 'Margaret', 'Mark', 'Sandra', 'Donald', 'Ashley', 'Steven',
	'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
	'Kenneth', 'Dorothy', 'Kevin', 'Carol', 'Brian', 'Amanda', 'George',
	'Melissa', 'Edward', 'Deborah', 'Ronald', 'Stephanie', 'Timothy',
	'Rebecca', 'Jason', 'Sharon', 'Jeffrey', 'Laura', 'Ryan', 'Cynthia',
	'Jacob', 'Kathleen', 'Gary', 'Amy', 'Nicholas', 'Shirley', 'Eric',
	'Angela', 'Jonathan', 'Helen', 'Stephen', 'Anna', 'Larry', 'Brenda',
	'Justin', 'Pamela', 'Scott', 'Nicole', 'Brandon', 'Emma', 'Benjamin',
	'Samantha', 'Samuel', 'Katherine', 'Gregory', 'Christine', 'Frank',
	'Debra', 'Alexander', 'Rachel', 'Raymond', 'Catherine', 'Patrick',
	'Carolyn', 'Jack', 'Janet', 'Dennis', 'Ruth', 'Jerry', 'Maria',
	'Tyler', 'Heather', 'Aaron', 'Diane', 'Jose', 'Virginia', 'Adam',
	'Julie', 'Henry', 'Joyce', 'Nathan', 'Victoria', 'Douglas', 'Olivia',
	'Zachary', 'Kelly', 'Peter', 'Christina', 'Kyle', 'Lauren', 'Walter',
	'Joan', 'Ethan', 'Evelyn', 'Jeremy', 'Judith', 'Harold', 'Megan',
	'Keith', 'Cheryl', 'Christian', 'Andrea', 'Roger', 'Hannah', 'Noah',
	'Martha', 'Gerald', 'Jacqueline', 'Carl', 'Frances', 'Terry', 'Gloria',
	'Sean', 'Ann', 'Austin', 'Teresa', 'Arthur', 'Kathryn', 'Lawrence',
	'Sara', 'Jesse', 'Janice', 'Dylan', 'Jean', 'Bryan', 'Alice', 'Joe',
	'Madison', 'Jordan', 'Doris', 'Billy', 'Abigail', 'Bruce', 'Julia',
	'Albert', 'Judy', 'Willie', 'Grace', 'Gabriel', 'Denise', 'Logan',
	'Amber', 'Alan', 'Marilyn', 'Juan', 'Beverly', 'Wayne', 'Danielle',
	'Roy', 'Theresa', 'Ralph', 'Sophia', 'Randy', 'Marie', 'Eugene',
	'Diana', 'Vincent', 'Brittany', 'Russell', 'Natalie', 'Elijah',
	'Isabella', 'Louis', 'Charlotte', 'Bobby', 'Rose', 'Philip', 'Alexis',
	'Johnny', 'Kayla'] AS fv,
    ARRAY['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia',
	'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
	'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore',
	'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris',
	'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young',
	'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill',
	'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera',
	'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Gomez', 'Phillips',
	'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins',
	'Reyes', 'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers',
	'Gutierrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey', 'Reed',
	'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
	'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray',
	'Mendoza', 'Ruiz', 'Hughes', 'Price', 'Alvarez', 'Castillo', 'Sanders',
	'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez', 'Powell',
	'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Bell', 'Coleman', 'Butler',
	'Henderson', 'Barnes', 'Gonzales', 'Fisher', 'Vasquez', 'Simmons',
	'Romero', 'Jordan', 'Patterson', 'Alexander', 'Hamilton', 'Graham',
	'Reynolds', 'Griffin', 'Wallace', 'Moreno', 'West', 'Cole', 'Hayes',
	'Bryant', 'Herrera', 'Gibson', 'Ellis', 'Tran', 'Medina', 'Aguilar',
	'Stevens', 'Murray', 'Ford', 'Castro', 'Marshall', 'Owens', 'Harrison',
	'Fernandez', 'McDonald', 'Woods', 'Washington', 'Kennedy', 'Wells',
	'Vargas', 'Henry', 'Chen', 'Freeman', 'Webb', 'Tucker', 'Guzman',
	'Burns', 'Crawford', 'Olson', 'Simpson', 'Porter', 'Hunter', 'Gordon',
	'Mendez', 'Silva', 'Shaw', 'Snyder', 'Mason', 'Dixon', 'Munoz', 'Hunt',
	'Hicks', 'Holmes', 'Palmer', 'Wagner', 'Black', 'Robertson', 'Boyd',
	'Rose', 'Stone', 'Salazar', 'Fox', 'Warren', 'Mills', 'Meyer', 'Rice',
	'Schmidt', 'Garza', 'Daniels', 'Ferguson', 'Nichols', 'Stephens',
	'Soto', 'Weaver', 'Ryan', 'Gardner', 'Payne', 'Grant', 'Dunn',
	'Müller', 'Søren', 'Ivanova'] AS lv,
    ARRAY[1, 3, 7, 9, 11, 13, 17, 19, 21, 23, 27, 29, 31, 33, 37, 39]
	AS steps) v,
LATERAL generate_series(1, :n) i,
LATERAL (SELECT abs(hashint8(i + :seed)) AS h) x,
LATERAL (SELECT :'cc' || (2 + i % 8) ||
	lpad(((i::bigint * 7368787) % 1000000000)::text, 9, '0') AS p,
    now() - (i % 5000) * interval '1 hour' AS at,
    fv[1 + h % 200] AS f, lv[1 + (h >> 10) % 200] AS l,
    ((h >> 20) % 200)::int AS t0, steps[1 + (h >> 28) % 16] AS ts,
    ((h >> 32) % 200)::int AS g0) y;
