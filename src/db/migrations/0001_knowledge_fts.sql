-- Full-text index over knowledge entries (drizzle-kit cannot generate virtual tables, so this
-- migration is hand-written). External content: the text lives once, in knowledge_entries; the
-- triggers keep the index in step with every insert, update and delete.
CREATE VIRTUAL TABLE `knowledge_fts` USING fts5(
	title,
	content,
	content='knowledge_entries',
	content_rowid='seq',
	tokenize='porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `knowledge_entries_fts_insert` AFTER INSERT ON `knowledge_entries` BEGIN
	INSERT INTO knowledge_fts(rowid, title, content) VALUES (new.seq, new.title, new.content);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_entries_fts_delete` AFTER DELETE ON `knowledge_entries` BEGIN
	INSERT INTO knowledge_fts(knowledge_fts, rowid, title, content) VALUES ('delete', old.seq, old.title, old.content);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_entries_fts_update` AFTER UPDATE OF title, content ON `knowledge_entries` BEGIN
	INSERT INTO knowledge_fts(knowledge_fts, rowid, title, content) VALUES ('delete', old.seq, old.title, old.content);
	INSERT INTO knowledge_fts(rowid, title, content) VALUES (new.seq, new.title, new.content);
END;
