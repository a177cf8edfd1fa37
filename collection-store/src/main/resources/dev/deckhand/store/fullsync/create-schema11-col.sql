-- Schema 11's col table: the collection's header, and its config, note types, decks, deck
-- configs and tags as JSON text.
create table col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null)
