// Does a MySQL server of version VERSION accept these SQL files? Parses
// each statement with MySQL Workbench's grammar (ts-mysql-parser), whose
// rules carry the server versions that accept them.
//   node check.js VERSION FILE...
// Prints "ok VERSION FILE" per file, or the statements refused (line and
// the parser's message); exits 1 if any was refused, 2 on bad usage.
'use strict';
const fs = require('fs');
const MySQLParser = require('ts-mysql-parser').default;

const [version, ...files] = process.argv.slice(2);
if (!/^\d+\.\d+\.\d+$/.test(version || '') || files.length === 0) {
	console.error('usage: node check.js VERSION FILE...');
	process.exit(2);
}

const parser = new MySQLParser({ version });
let refused = 0;
for (const file of files) {
	const text = fs.readFileSync(file, 'utf8');
	const statements = parser.splitStatements(text, '\n', ';');
	let bad = 0;
	for (const st of statements) {
		const sql = text.slice(st.start, st.stop + 1);
		// Comments only (the file's tail): nothing to parse.
		if (sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === '')
			continue;
		const result = parser.parse(sql);
		if (result.lexerError || result.parserError) {
			const err = result.parserError || result.lexerError;
			const line = text.slice(0, st.start).split('\n').length +
			    ((err.data && err.data.line) || 1) - 1;
			console.log(`refused by MySQL ${version}: ${file}:${line}: ` +
			    `${err.message}`);
			bad++;
		}
	}
	if (bad === 0)
		console.log(`ok ${version} ${file} (${statements.length} statements)`);
	refused += bad;
}
process.exit(refused ? 1 : 0);
