"""A space's files area: folders, and documents whose versions are files.

Folders are seen by whoever may read the space's content; a document is content
like a post (a level, an audience) and is read through ``access.readable``, its
files through ``access.readable_files``. Members who may write in the space
create folders and upload; a document's or a folder's own writer, and the
space's moderators, rename and move it; deleting a folder and anyone else's
document is for moderators.

Names are unique per folder (``space_documents``' unique key on ``folder_key``),
but what a viewer sees must never depend on what they may not read: a document
they may not read does not hold its name against them. So a document takes its
folder's place (``folder_key`` = the folder's id, 0 at the root) when no other
document holds it, and otherwise a key of its own, minus the id of its first
version's file (no other document has it); a deleted document gives its place
back the same way. Uploading a file under the name of a document the uploader
may read makes a new version of it; any other name (or a namesake they may not
read) makes a new document.
"""

from app.services.files.area.reading import (
    document_versions,
    document_views,
    folder_choices,
    list_folder,
    read_document,
)
from app.services.files.area.tree import (
    MAX_DEPTH,
    MAX_FOLDER_NAME,
    MAX_FOLDERS_IN_FOLDER,
    DocumentView,
    FilesArea,
    FolderListing,
    VersionView,
    access_document,
    access_folder,
    check_name,
    folder_path,
    open_area,
)
from app.services.files.area.writing import (
    create_folder,
    delete_document,
    delete_folder,
    edit_document,
    edit_folder,
    move_document,
    move_folder,
    rename_document,
    rename_folder,
    upload_document,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_FOLDERS_IN_FOLDER",
    "MAX_FOLDER_NAME",
    "DocumentView",
    "FilesArea",
    "FolderListing",
    "VersionView",
    "access_document",
    "access_folder",
    "check_name",
    "create_folder",
    "delete_document",
    "delete_folder",
    "document_versions",
    "document_views",
    "edit_document",
    "edit_folder",
    "folder_choices",
    "folder_path",
    "list_folder",
    "move_document",
    "move_folder",
    "open_area",
    "read_document",
    "rename_document",
    "rename_folder",
    "upload_document",
]
