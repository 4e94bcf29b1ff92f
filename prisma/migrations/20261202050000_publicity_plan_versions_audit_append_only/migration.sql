-- AlterTable
ALTER TABLE "Result" ADD COLUMN "publishedBy" TEXT;
ALTER TABLE "Result" ADD COLUMN "publishedOn" TEXT;

-- CreateTable
CREATE TABLE "PlanVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "year" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "snapshot" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "changes" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "PlanVersion_year_version_key" ON "PlanVersion"("year", "version");


-- The audit log is append-only at the database level: a rewrite of history needs a schema change
-- first (which the weekly head hash on the announce group would still expose).
CREATE TRIGGER "AuditLog_no_update" BEFORE UPDATE ON "AuditLog"
BEGIN
    SELECT RAISE(ABORT, 'AuditLog is append-only');
END;

CREATE TRIGGER "AuditLog_no_delete" BEFORE DELETE ON "AuditLog"
BEGIN
    SELECT RAISE(ABORT, 'AuditLog is append-only');
END;
