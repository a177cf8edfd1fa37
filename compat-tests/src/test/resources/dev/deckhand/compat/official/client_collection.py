# Makes the collection file the differential test uploads to both servers: a new collection of
# this Anki with one Basic note, left as a client leaves it just before a full upload (nothing
# pending, no graves, the collection's usn 1). Prints what the test needs to know of it as JSON.
#   python client_collection.py PATH
import json
import sys

from anki.collection import Collection

col = Collection(sys.argv[1])
basic = col.models.by_name("Basic")
note = col.new_note(basic)
note["Front"] = "bonjour"
note["Back"] = "hello"
col.add_note(note, 1)
for table in ("notes", "cards", "revlog", "decks", "deck_config", "notetypes", "tags"):
    col.db.execute(f"update {table} set usn = 0")
col.db.execute("delete from graves")
col.db.execute("update col set usn = 1, ls = scm")
facts = {
    "basic": basic["id"],
    "note": note.id,
    "card": note.cards()[0].id,
    "usn": col.db.scalar("select usn from col"),
    "notetypes": col.db.scalar("select count() from notetypes"),
    "decks": col.db.scalar("select count() from decks"),
    "deckConfigs": col.db.scalar("select count() from deck_config"),
}
col.close(downgrade=False)
print(json.dumps(facts))
