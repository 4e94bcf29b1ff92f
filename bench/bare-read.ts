/**
 * The denominator of bench:draw: a bare better-sqlite3 `select *` of the Target table in its own
 * node process — the least any draw must do to see the register.
 *   node dist/bench/bare-read.js <file.db>
 */
import Database from "better-sqlite3";

const db = new Database(process.argv[2]!, { readonly: true });
const rows = db.prepare("SELECT * FROM Target").all();
process.stdout.write(`${rows.length}\n`);
db.close();
