insert into tags (user_id, tag, usn, collapsed) values (:user, :tag, :usn, false)
