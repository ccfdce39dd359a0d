ALTER TABLE `knowledge_entries` ADD `fact_key` text;--> statement-breakpoint
ALTER TABLE `knowledge_entries` ADD `fact_value` text;